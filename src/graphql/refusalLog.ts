import type { Plugin } from 'graphql-yoga';
import type { Logger } from '../logger.ts';
import type { GraphQLContext } from './context.ts';

/**
 * A refusal is an expected answer, not a fault: each FORBIDDEN error an operation ends with (a query asked
 * for without the permission) is logged at info, with who asked, where and for what; never at error.
 */
export function useRefusalLog(logger: Logger): Plugin {
  return {
    onExecute({ args }) {
      return {
        onExecuteDone({ result }) {
          if (Symbol.asyncIterator in result) return;
          const ctx = args.contextValue as Partial<GraphQLContext>;
          for (const error of result.errors ?? []) {
            if (error.extensions?.code !== 'FORBIDDEN') continue;
            logger.info(
              { requestId: ctx.requestId, code: 'FORBIDDEN', field: error.path?.join('.'), principal: ctx.identity?.principal.name, context: ctx.identity?.context.name },
              'refused',
            );
          }
        },
      };
    },
  };
}
