import { type Kysely, sql } from 'kysely';

// A page of models by name (the default order) sorts by `lower(name) collate "C"`, then id (readModels.ts):
// without an index in that order, every page sorted all of a context's models (10,000 in the benchmark:
// some 10 ms a page on the embedded database). The unique (context_id, lower(name)) index, under the
// database's collation, holds the name rule and cannot serve this order.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index models_context_name_order_idx on models (context_id, (lower(name) collate "C"), id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index models_context_name_order_idx`.execute(db);
}
