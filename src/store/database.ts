import type { Kysely, Transaction } from 'kysely';
import type { GroupMembersTable, GroupsTable, PrincipalsTable, RoleGrantsTable, TokensTable } from './tables/accessControl.ts';
import type { ContextsTable } from './tables/contexts.ts';
import type { EvaluationsTable } from './tables/evaluations.ts';
import type { EventsTable } from './tables/events.ts';
import type { ExportLeasesTable } from './tables/exportLeases.ts';
import type { IdempotencyKeysTable } from './tables/idempotencyKeys.ts';
import type { FormatsTable } from './tables/formats.ts';
import type { ModelsTable } from './tables/models.ts';
import type { ServerSecretsTable } from './tables/serverSecrets.ts';
import type { SnapshotsTable } from './tables/snapshots.ts';
import type { VersionsTable } from './tables/versions.ts';
import type { WebhookAttemptsTable, WebhookDeliveriesTable, WebhookDispatchTable, WebhooksTable } from './tables/webhooks.ts';

export interface Database {
  contexts: ContextsTable;
  events: EventsTable;
  models: ModelsTable;
  versions: VersionsTable;
  formats: FormatsTable;
  evaluations: EvaluationsTable;
  principals: PrincipalsTable;
  tokens: TokensTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  role_grants: RoleGrantsTable;
  idempotency_keys: IdempotencyKeysTable;
  snapshots: SnapshotsTable;
  server_secrets: ServerSecretsTable;
  webhooks: WebhooksTable;
  webhook_dispatch: WebhookDispatchTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
  export_leases: ExportLeasesTable;
}

export type Db = Kysely<Database>;
/** Either the database or a transaction: store functions that only read take this. */
export type Executor = Kysely<Database> | Transaction<Database>;
