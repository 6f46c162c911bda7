import type { KyselyPlugin } from 'kysely';

/**
 * Counts every statement built on a database wrapped with `plugin` (`db.withPlugin(counter.plugin)`), nested
 * query builders included: what a test compares before and after a change in the number of statements.
 */
export function statementCounter() {
  const counter = {
    statements: 0,
    plugin: {
      transformQuery(args) {
        counter.statements++;
        return args.node;
      },
      async transformResult(args) {
        return args.result;
      },
    } satisfies KyselyPlugin,
  };
  return counter;
}

/** A statement that appends events: an INSERT, or the raw SQL around one that appends events with the read models' rows. */
const isAppend = (node: { kind: string }) => node.kind === 'InsertQueryNode' || (node.kind === 'RawNode' && JSON.stringify(node).includes('"InsertQueryNode"'));

/**
 * Counts the event rows the app reads (rows with an event's type, payload and stream version, not an
 * append's RETURNING) and the snapshot states it loads.
 */
export function eventRowCounter() {
  const appends = new WeakSet<object>();
  const counter = {
    eventRows: 0,
    snapshots: 0,
    plugin: {
      transformQuery(args) {
        if (isAppend(args.node)) appends.add(args.queryId);
        return args.node;
      },
      async transformResult(args) {
        if (appends.has(args.queryId)) return args.result;
        for (const row of args.result.rows as Record<string, unknown>[]) {
          if (typeof row.type === 'string' && 'data' in row && typeof row.stream_version === 'number') counter.eventRows++;
          if (row.snapshot_state !== null && row.snapshot_state !== undefined) counter.snapshots++;
        }
        return args.result;
      },
    } satisfies KyselyPlugin,
  };
  return counter;
}
