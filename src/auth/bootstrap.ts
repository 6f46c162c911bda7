import { sql } from 'kysely';
import type { Db } from '../store/database.ts';
import { hashSecret, newTokenSecret } from './tokens.ts';

/**
 * On the first start with an empty database: the `default` context's administrator, a service account
 * named `admin` that may also create contexts, with one token. Returns that token's secret (the given
 * one, or a new one) so it can be shown once; null when principals exist already.
 */
export async function bootstrapAdmin(db: Db, token?: string): Promise<string | null> {
  return db.transaction().execute(async (trx) => {
    // Two processes starting together on one empty database must not both create an administrator.
    await sql`select pg_advisory_xact_lock(hashtextextended('cairn:bootstrap', 0))`.execute(trx);
    const any = await trx.selectFrom('principals').select('id').limit(1).executeTakeFirst();
    if (any) return null;
    const context = await trx.selectFrom('contexts').select('id').where('name', '=', 'default').executeTakeFirstOrThrow();
    const admin = await trx.insertInto('principals').values({ name: 'admin', kind: 'service', superuser: true }).returning('id').executeTakeFirstOrThrow();
    await trx.insertInto('role_grants').values({ context_id: context.id, role: 'admin', principal_id: admin.id, group_id: null }).execute();
    const secret = token ?? newTokenSecret();
    await trx.insertInto('tokens').values({ principal_id: admin.id, name: 'bootstrap', secret_hash: hashSecret(secret), expires_at: null, revoked_at: null }).execute();
    return secret;
  });
}
