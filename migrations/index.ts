import type { Migration } from 'kysely/migration';
import * as eventLog from './2026-11-27T1200_event_log.ts';
import * as eventFeed from './2026-11-27T1300_event_feed.ts';
import * as accessControl from './2026-11-27T1400_access_control.ts';
import * as tokenCreator from './2026-11-28T0900_token_creator.ts';
import * as idempotency from './2026-11-28T0910_idempotency.ts';
import * as eventTime from './2026-11-29T0900_event_time.ts';
import * as eventEnvelope from './2026-12-02T0900_event_envelope.ts';
import * as accessControlLog from './2026-12-02T0910_access_control_log.ts';
import * as snapshots from './2026-12-02T0920_snapshots.ts';
import * as accessNotify from './2026-12-02T0930_access_notify.ts';
import * as modelsNameOrder from './2026-12-02T0940_models_name_order.ts';
import * as evaluationsAliases from './2026-12-03T0900_evaluations_aliases.ts';
import * as serverSecrets from './2026-12-03T1000_server_secrets.ts';
import * as webhooks from './2026-12-04T0900_webhooks.ts';
import * as exportLeases from './2026-12-05T0900_export_leases.ts';

/** Every migration, listed explicitly: a globbing provider breaks under bundlers and vitest. Names sort in order. */
export const migrations: Record<string, Migration> = {
  '2026-11-27T1200_event_log': eventLog,
  '2026-11-27T1300_event_feed': eventFeed,
  '2026-11-27T1400_access_control': accessControl,
  '2026-11-28T0900_token_creator': tokenCreator,
  '2026-11-28T0910_idempotency': idempotency,
  '2026-11-29T0900_event_time': eventTime,
  '2026-12-02T0900_event_envelope': eventEnvelope,
  '2026-12-02T0910_access_control_log': accessControlLog,
  '2026-12-02T0920_snapshots': snapshots,
  '2026-12-02T0930_access_notify': accessNotify,
  '2026-12-02T0940_models_name_order': modelsNameOrder,
  '2026-12-03T0900_evaluations_aliases': evaluationsAliases,
  '2026-12-03T1000_server_secrets': serverSecrets,
  '2026-12-04T0900_webhooks': webhooks,
  '2026-12-05T0900_export_leases': exportLeases,
};
