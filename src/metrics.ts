import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Latency buckets in seconds: 1 ms to 10 s. */
const SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * What `GET /metrics` shows, in Prometheus' text format. A registry per app (not prom-client's global
 * one), so that several apps in one process (the tests) each count their own.
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'cairn_' });
  const registers = [registry];
  return {
    registry,
    httpRequests: new Counter({ name: 'cairn_http_requests_total', help: 'HTTP requests by route, method and status', labelNames: ['route', 'method', 'status'], registers }),
    httpDuration: new Histogram({ name: 'cairn_http_request_duration_seconds', help: 'HTTP request latency by route', labelNames: ['route'], buckets: SECONDS, registers }),
    operations: new Counter({
      name: 'cairn_graphql_operations_total',
      help: 'GraphQL operations by root fields, type and outcome (ok, or the first error code)',
      labelNames: ['operation', 'type', 'outcome'],
      registers,
    }),
    operationDuration: new Histogram({
      name: 'cairn_graphql_operation_duration_seconds',
      help: 'GraphQL operation latency (parse to result) by root fields and type',
      labelNames: ['operation', 'type'],
      buckets: SECONDS,
      registers,
    }),
    uploadBytes: new Counter({ name: 'cairn_upload_bytes_total', help: 'Bytes of files received by uploads (counted once the file has arrived whole, before the command that records it)', registers }),
    downloadBytes: new Counter({ name: 'cairn_download_bytes_total', help: 'Bytes of files sent by downloads', registers }),
    blobsMissing: new Counter({
      name: 'cairn_blobs_missing_total',
      help: 'Downloads refused because the blob store has lost the file a format records (BLOB_MISSING; `npm run verify` lists them all)',
      registers,
    }),
    appendDuration: new Histogram({
      name: 'cairn_event_append_duration_seconds',
      help: 'Time to handle a command: lock the stream, read it, decide, append and project, commit',
      buckets: SECONDS,
      registers,
    }),
    eventsAppended: new Counter({ name: 'cairn_events_appended_total', help: 'Events appended to the log, by type', labelNames: ['type'], registers }),
    projectionLag: new Gauge({
      name: 'cairn_projection_lag_seconds',
      help: 'How long after its commit the last event read by the subscription feed was read (the read models are projected in the appending transaction, so they lag by 0)',
      registers,
    }),
    subscribers: new Gauge({ name: 'cairn_subscribers', help: 'Subscriptions following the event log now', registers }),
    identityLookups: new Counter({
      name: 'cairn_identity_lookups_total',
      help: "Requests' identity lookups by the process's identity cache: hit (no statement) or miss (one statement)",
      labelNames: ['cache'],
      registers,
    }),
    identityInvalidations: new Counter({
      name: 'cairn_identity_cache_invalidations_total',
      help: "Times the identity cache was emptied, by cause: command (this process's access-control command), notify (another's, or the listener reconnected), listener-lost",
      labelNames: ['cause'],
      registers,
    }),
    webhookAttempts: new Counter({
      name: 'cairn_webhook_attempts_total',
      help: "Webhook delivery attempts made by this process, by the delivery's status after it (SUCCEEDED, PENDING: to be retried, FAILED: no attempts left)",
      labelNames: ['outcome'],
      registers,
    }),
    webhookAttemptDuration: new Histogram({
      name: 'cairn_webhook_attempt_duration_seconds',
      help: 'Time a webhook delivery attempt took, from connecting to the (bounded) response body read',
      buckets: SECONDS,
      registers,
    }),
    feedHeldBack: new Counter({
      name: 'cairn_feed_held_back_reads_total',
      help: 'Reads of the subscription feed that found committed events held back by a transaction still in flight (any transaction on the database server holds them back: a long one delays every subscription)',
      registers,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
