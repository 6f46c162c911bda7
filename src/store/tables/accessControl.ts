import type { ColumnType, Generated } from 'kysely';

export interface PrincipalsTable {
  id: Generated<string>;
  name: string;
  kind: 'user' | 'service';
  superuser: Generated<boolean>;
  created_at: ColumnType<Date, never, never>;
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
  created_at: ColumnType<Date, never, never>;
  expires_at: Date | null;
  revoked_at: Date | null;
  /** The principal that created it; null for the bootstrap token and tokens older than this column. */
  created_by: string | null;
}

export interface GroupsTable {
  id: Generated<string>;
  context_id: string;
  name: string;
  created_at: ColumnType<Date, never, never>;
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
