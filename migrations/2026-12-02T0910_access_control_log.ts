import { type Kysely, sql } from 'kysely';

const NAME = '2026-12-02T0910_access_control_log';

/**
 * Access control moves into the log: from now on every change of it is an event on a context, group or
 * principal stream, and the tables contexts, principals, tokens, groups, group_members and role_grants are
 * their projections. This migration writes the events that reproduce the rows an installation has now, so
 * that its log is complete and a rebuild gives the same rows: per stream in a sensible order (contexts,
 * principals, groups, memberships, grants, tokens, revocations), each marked `migrated` with the time the
 * row says it happened (`occurredAt`, to the microsecond; projections use it instead of the time of
 * recording, which is this migration's). A fresh database logs its `default` context only.
 *
 * Frozen in time: the payloads are those of schema version 1 of each type.
 */
export async function up(db: Kysely<any>): Promise<void> {
  // An ISO 8601 instant, exact: what a JavaScript Date would print, with microseconds.
  const iso = (column: string) => sql.raw(`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`);
  const metadata = (occurredAt: ReturnType<typeof iso> | null) =>
    occurredAt === null
      ? sql`jsonb_build_object('actor', null, 'requestId', null, 'migrated', ${NAME}::text)`
      : sql`jsonb_build_object('actor', null, 'requestId', null, 'migrated', ${NAME}::text, 'occurredAt', ${occurredAt})`;

  // Each event: its stream, its place in the order (phase, then time, then a tiebreak), its envelope and payload.
  await sql`
    with migrated as (
      select c.id as stream_id, 'context' as stream_type, c.id as context_id, 1 as phase, c.created_at as at, c.id::text as tiebreak,
        'ContextCreated' as type, jsonb_build_object('name', c.name) as data, null::jsonb as private_data, ${metadata(iso('c.created_at'))} as metadata
      from contexts c
      union all
      select p.id, 'principal', p.home_context_id, 2, p.created_at, p.id::text,
        'PrincipalCreated',
        jsonb_build_object('name', p.name, 'kind', p.kind, 'superuser', p.superuser, 'homeContextId', p.home_context_id, 'createdBy', p.created_by),
        null, ${metadata(iso('p.created_at'))}
      from principals p
      union all
      select g.id, 'group', g.context_id, 3, g.created_at, g.id::text,
        'GroupCreated', jsonb_build_object('name', g.name), null, ${metadata(iso('g.created_at'))}
      from groups g
      union all
      -- Memberships and grants keep no time of their own: they are ordered after what they name.
      select m.group_id, 'group', g.context_id, 4, g.created_at, m.principal_id::text,
        'GroupMemberAdded', jsonb_build_object('principalId', m.principal_id), null, ${metadata(null)}
      from group_members m join groups g on g.id = m.group_id
      union all
      select r.context_id, 'context', r.context_id, 5, c.created_at, r.id::text,
        'RoleGranted', jsonb_build_object('grantId', r.id, 'role', r.role, 'principalId', r.principal_id, 'groupId', r.group_id), null, ${metadata(null)}
      from role_grants r join contexts c on c.id = r.context_id
      union all
      select t.principal_id, 'principal', p.home_context_id, 6, t.created_at, t.id::text,
        'TokenCreated',
        jsonb_build_object('tokenId', t.id, 'name', t.name, 'createdBy', t.created_by, 'expiresAt', ${iso('t.expires_at')}),
        jsonb_build_object('secretHash', t.secret_hash), ${metadata(iso('t.created_at'))}
      from tokens t join principals p on p.id = t.principal_id
      union all
      select t.principal_id, 'principal', p.home_context_id, 7, t.revoked_at, t.id::text,
        'TokenRevoked', jsonb_build_object('tokenId', t.id), null, ${metadata(iso('t.revoked_at'))}
      from tokens t join principals p on p.id = t.principal_id
      where t.revoked_at is not null
    )
    insert into events (stream_id, stream_type, context_id, stream_version, type, schema_version, data, private_data, metadata, recorded_at)
    select stream_id, stream_type, context_id,
      row_number() over (partition by stream_id order by phase, at, tiebreak)::int,
      type, 1, data, private_data, metadata, now()
    from migrated
    order by phase, at, tiebreak`.execute(db);

  // The audit view reads a context's access-control events by position; its model events are far more numerous.
  await sql`create index events_access_context_idx on events (context_id, position) where stream_type <> 'model'`.execute(db);
}

/**
 * Back to the tables as the truth: a Cairn before this migration neither writes nor reads access-control
 * events, so they go (the tables stay as they are, up to date). The log refuses deletes: its trigger is off
 * for this one statement.
 */
export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index events_access_context_idx`.execute(db);
  await sql`alter table events disable trigger events_no_update_delete`.execute(db);
  await sql`delete from events where stream_type <> 'model'`.execute(db);
  await sql`alter table events enable trigger events_no_update_delete`.execute(db);
}
