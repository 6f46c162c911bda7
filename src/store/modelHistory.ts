import type { RecordedEvent } from '../domain/model/events.ts';
import { fold, type ModelState } from '../domain/model/evolve.ts';
import type { Executor } from './database.ts';
import { readAll, readStream, type StreamBound } from './eventLog.ts';

/** A model's events after a position, oldest first: its audit history (who did what, and when). */
export function modelHistory(db: Executor, modelId: string, page: { after?: string; limit: number }): Promise<RecordedEvent[]> {
  return readAll(db, page.after ?? '0', page.limit, modelId);
}

/** The model as it was at a past time or position: a fold of its events up to there. */
export async function modelAsOf(db: Executor, modelId: string, bound: StreamBound): Promise<ModelState> {
  return fold(await readStream(db, modelId, bound));
}
