import type { ColumnType } from 'kysely';

/** A secret of the server's own (migrations/2026-12-03T1000_server_secrets.ts). */
export interface ServerSecretsTable {
  /** What it is for: `signed-links`. */
  name: string;
  /** base64url. */
  secret: string;
  created_at: ColumnType<Date, never, never>;
}
