import { sql } from 'kysely';
import type { AccessEvent, RecordedAccessEvent } from '../domain/access/events.ts';
import type { Executor } from './database.ts';
import { eventColumns, toRecorded } from './eventLog.ts';

export interface AuditPage {
  /** Positions, exclusive bounds. */
  after?: string;
  before?: string;
  limit: number;
  /** Newest first (a page read backwards). */
  descending: boolean;
}

const byPosition = (a: RecordedAccessEvent, b: RecordedAccessEvent) => {
  const pa = BigInt(a.position);
  const pb = BigInt(b.position);
  return pa === pb ? 0 : pa < pb ? -1 : 1;
};

/**
 * A page of a context's audit log: the access-control events about it, in log order. They are the events
 * of its own stream (its creation, its grants and revocations), of its groups' streams, and of the streams
 * of the principals homed in it or holding a role in it now, directly or through one of its groups (their
 * creation, their tokens made and revoked: a token of such a principal opens this context). Never a model
 * event, never another context's stream, never a principal's that has nothing to do with this context.
 *
 * Two statements: the streams that live in the context (by the partial index on context and position), and
 * the role holders' principal streams homed elsewhere (by stream); the page is their merge.
 */
export async function auditLog(db: Executor, contextId: string, page: AuditPage): Promise<RecordedAccessEvent[]> {
  const direction = page.descending ? 'desc' : 'asc';
  const bounded = <Q extends { where: (...args: any[]) => Q }>(q: Q): Q => {
    let out = q;
    if (page.after !== undefined) out = out.where('position', '>', page.after);
    if (page.before !== undefined) out = out.where('position', '<', page.before);
    return out;
  };
  // Written out, not a parameter, so that the planner may use the partial index (stream_type <> 'model').
  const accessStream = sql<boolean>`stream_type <> 'model'`;
  const own = bounded(db.selectFrom('events').select(eventColumns).where('context_id', '=', contextId).where(accessStream))
    .orderBy('position', direction)
    .limit(page.limit)
    .execute();
  const holders = bounded(
    db
      .selectFrom('events')
      .select(eventColumns)
      .where('stream_type', '=', 'principal')
      .where((eb) => eb.or([eb('context_id', 'is', null), eb('context_id', '<>', contextId)]))
      .where((eb) =>
        eb.or([
          eb('stream_id', 'in', eb.selectFrom('role_grants').select('principal_id').where('context_id', '=', contextId).where('principal_id', 'is not', null).$narrowType<{ principal_id: string }>()),
          eb(
            'stream_id',
            'in',
            eb.selectFrom('group_members').innerJoin('role_grants', 'role_grants.group_id', 'group_members.group_id').select('group_members.principal_id').where('role_grants.context_id', '=', contextId),
          ),
        ]),
      ),
  )
    .orderBy('position', direction)
    .limit(page.limit)
    .execute();
  const rows = (await Promise.all([own, holders])).flat().map((row) => toRecorded<AccessEvent>(row));
  rows.sort(byPosition);
  if (page.descending) rows.reverse();
  return rows.slice(0, page.limit);
}
