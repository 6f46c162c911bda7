import type { Db } from './database.ts';

/**
 * The server's secret named `name`: the one stored, or else `made` (stored first). Several processes
 * starting at once each try to insert theirs and all read back the one that won, so they agree.
 */
export async function serverSecret(db: Db, name: string, made: string): Promise<string> {
  await db.insertInto('server_secrets').values({ name, secret: made }).onConflict((oc) => oc.column('name').doNothing()).execute();
  const row = await db.selectFrom('server_secrets').select('secret').where('name', '=', name).executeTakeFirstOrThrow();
  return row.secret;
}
