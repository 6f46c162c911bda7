// On PostgreSQL, each connection prepares the statements the process runs again (src/store/open.ts).
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await openTestDatabase('postgres');
});
afterAll(() => t?.close());

it('prepares a statement the second time a connection runs it, and only binds it after', async () => {
  const counts = await t.db.connection().execute(async (c) => {
    const seen: number[] = [];
    for (let i = 0; i < 3; i++) {
      await sql`select ${i}::int + 1 as n, 'prepared-probe' as probe`.execute(c);
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_prepared_statements where statement like '%prepared-probe%'`.execute(c);
      seen.push(rows[0]!.n);
    }
    return seen;
  });
  // Unnamed the first time (a text seen once may never come again), prepared from the second, once.
  expect(counts).toEqual([0, 1, 1]);
});

it('runs a prepared statement whose table another process changed again unnamed, with the new columns', async () => {
  await sql`create table probe_rows (id int primary key, a text)`.execute(t.db);
  await sql`insert into probe_rows values (1, 'x')`.execute(t.db);
  const rows = await t.db.connection().execute(async (c) => {
    const read = () => sql<Record<string, unknown>>`select * from probe_rows where id = ${1}`.execute(c);
    await read();
    await read(); // now prepared on this connection
    // As a newer Cairn's migration run by another process would: the result type of `select *` changes.
    await sql`alter table probe_rows add column b text default 'y'`.execute(t.db);
    return (await read()).rows;
  });
  expect(rows).toEqual([{ id: 1, a: 'x', b: 'y' }]);
});
