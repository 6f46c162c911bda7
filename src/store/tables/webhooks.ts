import type { ColumnType, Generated } from 'kysely';

/** A webhook: the read model of the context streams' Webhook* events. */
export interface WebhooksTable {
  id: string;
  context_id: string;
  url: string;
  event_types: ColumnType<string[], string, string>;
  model_id: string | null;
  description: string | null;
  active: boolean;
  /** The signing secret, encrypted (src/webhooks/secrets.ts). */
  secret_ciphertext: string;
  created_at: ColumnType<Date, string, string>;
  created_by: string | null;
  /** int8: the position of the WebhookCreated event. */
  created_position: string;
}

/** The cursor, in feed order, up to which model events have been made deliveries. One row. */
export interface WebhookDispatchTable {
  id: number;
  transaction_id: string;
  position: string;
}

export type DeliveryStatus = 'PENDING' | 'SUCCEEDED' | 'FAILED';

export interface WebhookDeliveriesTable {
  id: Generated<string>;
  webhook_id: string;
  context_id: string;
  event_id: string;
  event_position: string;
  event_type: string;
  status: DeliveryStatus;
  attempts: Generated<number>;
  attempts_base: Generated<number>;
  next_attempt_at: Date | null;
  leased_until: Date | null;
  last_response_status: number | null;
  last_error: string | null;
  last_attempt_at: Date | null;
  created_at: Generated<Date>;
}

export interface WebhookAttemptsTable {
  delivery_id: string;
  attempt: number;
  at: Date;
  response_status: number | null;
  error: string | null;
  duration_ms: number;
}
