import type { ColumnType, Generated } from 'kysely';

export interface PrincipalsTable {
  id: Generated<string>;
  name: string;
  kind: 'user' | 'service';
  superuser: Generated<boolean>;
  created_at: ColumnType<Date, never, never>;
}

export interface TokensTable {
  id: Generated<string>;
  principal_id: string;
  name: string;
  secret_hash: string;
  created_at: ColumnType<Date, never, never>;
  expires_at: Date | null;
  revoked_at: Date | null;
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
