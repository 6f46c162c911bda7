import type { ColumnType } from 'kysely';

/** A command that committed under an idempotency key: the versions it appended to its stream. */
export interface IdempotentCommandOutcome {
  streamId: string;
  /** The stream's version before the command (its events are fromVersion+1 .. toVersion). */
  fromVersion: number;
  toVersion: number;
}

export interface IdempotencyKeysTable {
  principal_id: string;
  context_id: string;
  key: string;
  fingerprint: string;
  created_at: ColumnType<Date, never, Date>;
  expires_at: ColumnType<Date, Date | string, Date | string>;
  locked_until: ColumnType<Date | null, Date | string | null, Date | string | null>;
  /** The request holding the claim (see locked_until). */
  claimed_by: string | null;
  commands: ColumnType<Record<string, IdempotentCommandOutcome>, string | undefined, string>;
  /** The stored answer, as JSON text. */
  response: string | null;
}
