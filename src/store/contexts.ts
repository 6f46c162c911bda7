import type { Executor } from './database.ts';

/** A context (workspace) by name; the `default` context exists from the first migration. */
export async function contextIdByName(db: Executor, name: string): Promise<string | null> {
  const row = await db.selectFrom('contexts').select('id').where('name', '=', name).executeTakeFirst();
  return row?.id ?? null;
}
