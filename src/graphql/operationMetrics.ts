import { getOperationAST, Kind, type DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Metrics } from '../metrics.ts';

/**
 * The label an operation is counted under: its type and root field names (`mutation createVersion`).
 * Not the client's operation name: that is free text, and every distinct value would be a new series.
 */
export function operationLabel(document: DocumentNode, operationName?: string | null): { operation: string; type: string } {
  const op = getOperationAST(document, operationName);
  if (!op) return { operation: 'unknown', type: 'unknown' };
  const fields = new Set<string>();
  for (const s of op.selectionSet.selections) if (s.kind === Kind.FIELD) fields.add(s.name.value);
  return { operation: [...fields].sort().join(',').slice(0, 200) || 'fragments', type: op.operation };
}

const CODE = /^[A-Z][A-Z_]{0,39}$/;

/** Counts and times every executed GraphQL operation; the outcome is `ok` or the first error's code. */
export function useOperationMetrics(metrics: Metrics): Plugin {
  return {
    onExecute({ args }) {
      const labels = operationLabel(args.document, args.operationName);
      const end = metrics.operationDuration.startTimer(labels);
      return {
        onExecuteDone({ result }) {
          end();
          // A stream of results (incremental delivery) is counted by its first part only.
          if (Symbol.asyncIterator in result) return;
          const error = result.errors?.[0];
          const code = error?.extensions?.code;
          metrics.operations.inc({ ...labels, outcome: error ? (typeof code === 'string' && CODE.test(code) ? code : 'ERROR') : 'ok' });
        },
      };
    },
    onSubscribe({ args }) {
      metrics.operations.inc({ ...operationLabel(args.document, args.operationName), outcome: 'ok' });
    },
  };
}
