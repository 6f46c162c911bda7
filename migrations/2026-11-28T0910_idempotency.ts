import { type Kysely, sql } from 'kysely';

// Idempotency keys: a mutation sent with `Idempotency-Key` is answered once; a repeat within 24 hours gets
// the stored answer. `commands` is written in the command's own transaction, so that a commit whose reply
// was lost is found by the repeat instead of being run again.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('idempotency_keys')
    .addColumn('principal_id', 'uuid', (c) => c.notNull())
    .addColumn('context_id', 'uuid', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    // sha256 of the request (query, operation name, variables): a different request under the key is refused.
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    // While a request with this key runs; a repeat before then is refused with CONFLICT.
    .addColumn('locked_until', 'timestamptz')
    // Which request holds the claim: only it releases it (a request whose claim's reply was lost releases it later).
    .addColumn('claimed_by', 'uuid')
    // The commands that committed under this key: their ordinal in the request -> stream and versions appended.
    .addColumn('commands', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    // The answer, once there is one to give again (never one that holds a secret).
    // Text, not jsonb: JSON.stringify escapes NUL and lone surrogates, which jsonb would refuse.
    .addColumn('response', 'text')
    .addPrimaryKeyConstraint('idempotency_keys_pkey', ['principal_id', 'context_id', 'key'])
    .execute();
  await db.schema.createIndex('idempotency_keys_expires_idx').on('idempotency_keys').column('expires_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('idempotency_keys').execute();
}
