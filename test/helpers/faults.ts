import type { Db } from '../../src/store/database.ts';

/** pg's words when the server's socket closes under a query: a connection lost mid-statement. */
export const connectionLost = () => new Error('Connection terminated unexpectedly');

/**
 * What a statement meets: `lost` never reaches the server (the connection drops first), `replyLost` runs and
 * its caller then hears that the connection dropped. Undefined: it runs as usual.
 */
export type StatementFault = 'lost' | 'replyLost' | undefined;

const BUILDERS = new Set(['selectFrom', 'insertInto', 'updateTable', 'deleteFrom']);

/**
 * The real test database, with a fault on chosen statements: `faultFor` sees each statement built from
 * `db.selectFrom`, `insertInto`, `updateTable` or `deleteFrom` (its SQL, as Kysely compiles it) when it is
 * executed, and says what it meets. Transactions and raw `sql` pass untouched. Not a mock: every statement
 * that is not faulted, and a `replyLost` one, runs on the database.
 */
export function withStatementFaults(db: Db, faultFor: (sql: string) => StatementFault): Db {
  const wrap = <T extends object>(builder: T): T =>
    new Proxy(builder, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target);
        if (typeof value !== 'function') return value;
        if (typeof prop === 'string' && prop.startsWith('execute')) {
          return async (...args: unknown[]) => {
            const compiled = (target as { compile?: () => { sql: string } }).compile?.();
            const fault = compiled ? faultFor(compiled.sql) : undefined;
            if (fault === 'lost') throw connectionLost();
            const result = await value.apply(target, args);
            if (fault === 'replyLost') throw connectionLost();
            return result;
          };
        }
        return (...args: unknown[]) => {
          const next = value.apply(target, args);
          return next && typeof next === 'object' ? wrap(next) : next;
        };
      },
    });
  return new Proxy(db, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      if (typeof prop === 'string' && BUILDERS.has(prop)) return (...args: unknown[]) => wrap(value.apply(target, args));
      return value.bind(target);
    },
  });
}
