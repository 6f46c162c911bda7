import type { ColumnType } from 'kysely';

/** An export running (migrations/2026-12-05T0900_export_leases.ts): while one is live, no blob is deleted. */
export interface ExportLeasesTable {
  id: string;
  started_at: ColumnType<Date, never, never>;
  expires_at: ColumnType<Date, Date, Date>;
}
