import net from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import type { Limits } from './domain/limits.ts';

/** Where `npm run web:build` puts the dashboard. */
export const DASHBOARD_DIR = path.resolve(import.meta.dirname, '../web/dist');

/** Every environment variable Cairn reads, parsed and validated once. The README's table mirrors this file. */
const intFrom = (min: number, fallback: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min))
    .optional()
    .transform((v) => v ?? fallback);

/**
 * CAIRN_CORS_ORIGINS: `*`, or the origins (`scheme://host[:port]`, http or https, nothing after) whose pages
 * may read Cairn's answers; each is kept as a browser writes it in its Origin header (lower-case host, no
 * default port), since that is what it is compared with.
 */
const corsOrigins = z
  .string()
  .default('*')
  .transform((value, ctx): '*' | string[] => {
    const entries = value.split(',').map((entry) => entry.trim()).filter(Boolean);
    if (entries.length === 1 && entries[0] === '*') return '*';
    const fail = (message: string) => {
      ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    };
    if (entries.length === 0) return fail('must be * or a comma-separated list of origins such as https://dashboard.example.com');
    const origins = new Set<string>();
    for (const entry of entries) {
      const shown = JSON.stringify(entry.length > 100 ? `${entry.slice(0, 100)}...` : entry);
      if (entry === '*') return fail('* stands alone: either * or a list of origins');
      let url: URL | undefined;
      try {
        url = /^https?:\/\/[^/?#@\\]+$/i.test(entry) ? new URL(entry) : undefined;
      } catch {
        url = undefined;
      }
      // A DNS name has at most 253 characters; the URL parser itself sets no limit.
      if (url && url.hostname.length > 253) url = undefined;
      if (!url) return fail(`${shown} is not an origin: scheme://host[:port] with http or https, and no path (not even a trailing /), query or user name`);
      origins.add(url.origin);
    }
    return [...origins];
  });
/** A DNS name: dot-separated labels of letters, digits and inner hyphens. */
const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

const environment = z.object({
  PORT: z
    .string()
    .trim()
    .regex(/^\d{1,5}$/, 'must be a port number, 0-65535 (0: any free port)')
    .transform(Number)
    .pipe(z.number().int().max(65_535, 'must be a port number, 0-65535 (0: any free port)'))
    .optional()
    .transform((v) => v ?? 4000),
  HOST: z
    .string()
    .refine((host) => net.isIP(host) !== 0 || HOST_NAME.test(host), 'must be an IP address or a host name of this machine (0.0.0.0: all its addresses)')
    .default('0.0.0.0')
    .or(z.literal('').transform(() => '0.0.0.0')),
  DATABASE_URL: z
    .string()
    .trim()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  DATABASE_POOL_SIZE: intFrom(1, 10),
  CAIRN_DATA_DIR: z.string().default('./data'),
  CAIRN_MAX_VERSIONS: intFrom(1, 30),
  CAIRN_FORMATS: z
    .string()
    .default('pkl,rda,pmml')
    .transform((s) => [...new Set(s.split(',').map((f) => f.trim()).filter(Boolean))])
    .pipe(z.array(z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,31}$/, 'format ids are 1-32 lower-case letters, digits, . _ -')).min(1)),
  CAIRN_MAX_FORMATS: intFrom(1, 3),
  CAIRN_MAX_UPLOAD_BYTES: intFrom(1, 5 * 1024 ** 3),
  CAIRN_MAX_BODY_BYTES: intFrom(1024, 4 * 1024 ** 2),
  CAIRN_BOOTSTRAP_TOKEN: z.string().min(32, 'must be at least 32 characters').regex(/^[\x21-\x7e]*$/, 'must be printable ASCII without spaces').optional(),
  CAIRN_BLOB_STORE: z
    .string()
    .trim()
    .regex(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/, 'must be s3://bucket or s3://bucket/prefix (unset: files under CAIRN_DATA_DIR)')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  S3_ENDPOINT: z
    .string()
    .trim()
    .regex(/^https?:\/\//, 'must be an http:// or https:// URL')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  S3_REGION: z.string().trim().min(1).default('us-east-1'),
  CAIRN_SHUTDOWN_GRACE_MS: intFrom(0, 30_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CAIRN_MAX_SUBSCRIPTIONS_PER_TOKEN: intFrom(1, 20),
  CAIRN_BODY_TIMEOUT_MS: intFrom(1, 30_000),
  CAIRN_MAX_BUFFERED_BODY_BYTES: intFrom(1024, 64 * 1024 ** 2),
  CAIRN_MAX_DOWNLOADS_PER_TOKEN: intFrom(1, 8),
  CAIRN_DRAIN_BYTES: intFrom(0, 64 * 1024 ** 2),
  // A timer longer than 2^31-1 ms fires at once (Node clamps it to 1 ms): such a value would not drain at all.
  CAIRN_DRAIN_TIMEOUT_MS: intFrom(0, 10_000).pipe(z.number().max(2 ** 31 - 1, 'must be at most 2147483647 (about 24 days)')),
  CAIRN_CORS_ORIGINS: corsOrigins,
  // A signed link is a bearer credential in a URL: short-lived by design, a day at most.
  CAIRN_SIGNED_URL_TTL_SECONDS: intFrom(1, 600).pipe(z.number().max(86_400, 'must be at most 86400 (a day)')),
  CAIRN_WEBHOOK_TIMEOUT_MS: intFrom(1, 10_000).pipe(z.number().max(300_000, 'must be at most 300000 (5 minutes)')),
  CAIRN_WEBHOOK_BACKOFF_MS: intFrom(1, 10_000).pipe(z.number().max(86_400_000, 'must be at most 86400000 (a day)')),
  CAIRN_WEBHOOK_MAX_ATTEMPTS: intFrom(1, 8).pipe(z.number().max(30, 'must be at most 30')),
  CAIRN_WEBHOOK_LEASE_MARGIN_MS: intFrom(1, 30_000).pipe(z.number().max(3_600_000, 'must be at most 3600000 (an hour)')),
  CAIRN_WEBHOOK_ALLOW_PRIVATE: z
    .enum(['true', 'false'], { message: 'must be true or false' })
    .default('false')
    .transform((v) => v === 'true'),
  CAIRN_METRICS_PORT: z
    .string()
    .trim()
    .regex(/^\d{1,5}$/, 'must be a port number (0: any free port)')
    .transform(Number)
    .pipe(z.number().int().max(65_535))
    .optional()
    .or(z.literal('').transform(() => undefined)),
});

export interface Config {
  port: number;
  host: string;
  /** Set: PostgreSQL through pg. Unset: embedded PGlite under dataDir. */
  databaseUrl: string | undefined;
  databasePoolSize: number;
  dataDir: string;
  logLevel: string;
  /** The first administrator's token on an empty database; a random one when unset. */
  bootstrapToken: string | undefined;
  /** Unset: blobs under dataDir/blobs. Set: an S3 bucket (`s3://bucket/prefix`). */
  blobStore: { url: string; endpoint: string | undefined; region: string } | undefined;
  /** How long a stopping process lets requests in flight (uploads included) finish. */
  shutdownGraceMs: number;
  /** The largest GraphQL request body that is not a file upload. */
  maxBodyBytes: number;
  limits: Limits;
  /** How many subscriptions one token may hold open at once, in this process. */
  maxSubscriptionsPerToken: number;
  /** How often an idle subscription re-checks its caller's token and access (not an environment variable). */
  streamRecheckMs: number;
  /** How long a request body (or a download's client) may send (or take) no byte before the request is ended. */
  bodyTimeoutMs: number;
  /** The most bytes of GraphQL request bodies held in memory at once, all requests together. */
  maxBufferedBodyBytes: number;
  /**
   * How much of a body that will not be read (a refused request's, or the rest of a file a resolver
   * refused) is read and dropped after the answer, and for how long, before the connection is cut.
   */
  drainBytes: number;
  drainTimeoutMs: number;
  /** How many downloads one token may have in progress at once. */
  maxDownloadsPerToken: number;
  /** Set: /metrics is served without a token on this port of 127.0.0.1, and not on the main port. */
  metricsPort: number | undefined;
  /** Which other sites' pages may read answers (CORS): every one (`*`), or these origins. Never with credentials. */
  corsOrigins: '*' | readonly string[];
  /** How long a signed download link (Format.signedUrl) works after it is made. */
  signedUrlTtlSeconds: number;
  webhooks: {
    /** An attempt succeeds with a 2xx within this. */
    timeoutMs: number;
    /** The wait after the first failed attempt; it doubles after each (with jitter). */
    backoffMs: number;
    /** Attempts before a delivery is FAILED. */
    maxAttempts: number;
    /** An attempt's lease lasts its timeout and this: the wait before another process repeats an attempt cut off by a crash. */
    leaseMarginMs: number;
    /** Targets on loopback, private, link-local or metadata addresses are allowed (tests, a closed network). */
    allowPrivate: boolean;
  };
  /** The built dashboard that `/` serves (not an environment variable: `npm run web:build` writes web/dist; tests use their own). */
  dashboardDir: string;
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = environment.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.CAIRN_MAX_BUFFERED_BODY_BYTES < e.CAIRN_MAX_BODY_BYTES) {
    throw new ConfigError('Invalid configuration:\n  CAIRN_MAX_BUFFERED_BODY_BYTES: must be at least CAIRN_MAX_BODY_BYTES (one largest body)');
  }
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    dataDir: path.resolve(e.CAIRN_DATA_DIR),
    logLevel: e.LOG_LEVEL,
    maxBodyBytes: e.CAIRN_MAX_BODY_BYTES,
    blobStore: e.CAIRN_BLOB_STORE ? { url: e.CAIRN_BLOB_STORE, endpoint: e.S3_ENDPOINT, region: e.S3_REGION } : undefined,
    shutdownGraceMs: e.CAIRN_SHUTDOWN_GRACE_MS,
    bootstrapToken: e.CAIRN_BOOTSTRAP_TOKEN,
    limits: {
      maxVersions: e.CAIRN_MAX_VERSIONS,
      formats: e.CAIRN_FORMATS,
      maxFormats: e.CAIRN_MAX_FORMATS,
      maxUploadBytes: e.CAIRN_MAX_UPLOAD_BYTES,
    },
    maxSubscriptionsPerToken: e.CAIRN_MAX_SUBSCRIPTIONS_PER_TOKEN,
    streamRecheckMs: 5000,
    bodyTimeoutMs: e.CAIRN_BODY_TIMEOUT_MS,
    maxBufferedBodyBytes: e.CAIRN_MAX_BUFFERED_BODY_BYTES,
    maxDownloadsPerToken: e.CAIRN_MAX_DOWNLOADS_PER_TOKEN,
    drainBytes: e.CAIRN_DRAIN_BYTES,
    drainTimeoutMs: e.CAIRN_DRAIN_TIMEOUT_MS,
    metricsPort: e.CAIRN_METRICS_PORT,
    corsOrigins: e.CAIRN_CORS_ORIGINS,
    signedUrlTtlSeconds: e.CAIRN_SIGNED_URL_TTL_SECONDS,
    webhooks: {
      timeoutMs: e.CAIRN_WEBHOOK_TIMEOUT_MS,
      backoffMs: e.CAIRN_WEBHOOK_BACKOFF_MS,
      maxAttempts: e.CAIRN_WEBHOOK_MAX_ATTEMPTS,
      leaseMarginMs: e.CAIRN_WEBHOOK_LEASE_MARGIN_MS,
      allowPrivate: e.CAIRN_WEBHOOK_ALLOW_PRIVATE,
    },
    dashboardDir: DASHBOARD_DIR,
  };
}
