import { sql } from 'kysely';
import type { Db } from './database.ts';
import { readAll } from './eventLog.ts';
import { project, readModelTables } from './projections/index.ts';

/**
 * Empties the read models and replays the whole log into them, in one transaction: readers see the old
 * rows until it commits, and writers wait on the truncated tables' locks, then project on top of the result.
 */
export async function rebuildProjections(db: Db, options: { batchSize?: number } = {}): Promise<{ events: number }> {
  const batchSize = options.batchSize ?? 1000;
  return db.transaction().execute(async (trx) => {
    await sql`truncate table ${sql.join(readModelTables.map((t) => sql.table(t)))}`.execute(trx);
    let after = '0';
    let count = 0;
    for (;;) {
      const batch = await readAll(trx, after, batchSize);
      if (batch.length === 0) break;
      await project(trx, batch);
      count += batch.length;
      after = batch[batch.length - 1]!.position;
    }
    return { events: count };
  });
}
