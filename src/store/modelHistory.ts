import type { RecordedEvent } from '../domain/model/events.ts';
import { fold, type ModelState } from '../domain/model/evolve.ts';
import type { Executor } from './database.ts';
import { readStream, readStreamPage, type StreamBound } from './eventLog.ts';

/** A page of a model's events: its audit history (who did what, and when), oldest first unless descending. */
export function modelHistory(
  db: Executor,
  modelId: string,
  page: { after?: string; before?: string; upTo?: string; limit: number; descending?: boolean },
): Promise<RecordedEvent[]> {
  return readStreamPage(db, modelId, { descending: false, ...page });
}

/** How many events the model's history holds, up to `upTo` (a position) when it is read as of a past time. */
export async function countModelHistory(db: Executor, modelId: string, upTo?: string): Promise<number> {
  let q = db.selectFrom('events').select((eb) => eb.fn.countAll<string>().as('n')).where('stream_id', '=', modelId);
  if (upTo !== undefined) q = q.where('position', '<=', upTo);
  const { n } = await q.executeTakeFirstOrThrow();
  return Number(n);
}

/** The model as it was at a past time or position: a fold of its events up to there, and the last one's position. */
export async function modelAsOf(db: Executor, modelId: string, bound: StreamBound): Promise<{ state: ModelState; position: string | null }> {
  const events = await readStream(db, modelId, bound);
  return { state: fold(events), position: events.at(-1)?.position ?? null };
}
