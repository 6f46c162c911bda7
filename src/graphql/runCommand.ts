import { NotFoundError } from '../domain/errors.ts';
import type { ModelCommand } from '../domain/model/commands.ts';
import type { ModelState } from '../domain/model/evolve.ts';
import { type CommandResult, handleCommand } from '../store/handleCommand.ts';
import { isUuid } from '../store/readModels.ts';
import type { GraphQLContext } from './context.ts';

/** Runs a command on a model for a request: its limits, its actor and request id, its context. */
export async function runCommand(ctx: GraphQLContext, modelId: string, command: ModelCommand): Promise<CommandResult> {
  if (!isUuid(modelId)) throw new NotFoundError('No such model');
  const id = modelId.toLowerCase();
  const result = await handleCommand(ctx.db, id, command, {
    limits: ctx.config.limits,
    metadata: { actor: ctx.actor, requestId: ctx.requestId },
    // A model in another context is, for this request, not there at all.
    guard: (state: ModelState) => {
      if (state.status === 'live' && state.contextId !== ctx.contextId) throw new NotFoundError('No such model');
    },
  });
  ctx.loaders.forget(id);
  return result;
}
