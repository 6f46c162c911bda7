import type { ColumnType, Generated } from 'kysely';

// Projections of the access-control streams (src/store/projections/accessControl.ts), rebuilt from the log.

export interface PrincipalsTable {
  id: Generated<string>;
  name: string;
  kind: 'user' | 'service';
  superuser: Generated<boolean>;
  /** When its event happened (see occurredAt in src/domain/access/evolve.ts). */
  created_at: ColumnType<Date, string | undefined, never>;
  /** The context it was created in: that context's administrators manage its tokens. */
  home_context_id: string | null;
  /** The principal that created it. */
  created_by: string | null;
}

export interface TokensTable {
  id: Generated<string>;
  principal_id: string;
  name: string;
  secret_hash: string;
  /** When its event happened (see occurredAt in src/domain/access/evolve.ts). */
  created_at: ColumnType<Date, string | undefined, never>;
  /** Written as ISO text: a cap carried over from a parent token keeps its microseconds. */
  expires_at: ColumnType<Date | null, string | null | undefined, string | null>;
  revoked_at: ColumnType<Date | null, string | null | undefined, string | null>;
  /** The principal that created it; null for the bootstrap token and tokens older than this column. */
  created_by: string | null;
}

export interface GroupsTable {
  id: Generated<string>;
  context_id: string;
  name: string;
  /** When its event happened (see occurredAt in src/domain/access/evolve.ts). */
  created_at: ColumnType<Date, string | undefined, never>;
}

export interface GroupMembersTable {
  group_id: string;
  principal_id: string;
}

export interface RoleGrantsTable {
  id: Generated<string>;
  context_id: string;
  role: 'viewer' | 'editor' | 'admin';
  principal_id: string | null;
  group_id: string | null;
}
