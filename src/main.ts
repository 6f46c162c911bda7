// The only file that listens and handles signals.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { type Config, ConfigError, loadConfig } from './config.ts';
import { bind, boundPort, continueOnlyWhenAccepted, ListenRefused, startingHandler } from './http/listen.ts';
import type { RequestHandler } from './http/server.ts';
import { trackRequests } from './http/shutdown.ts';
import { createLogger } from './logger.ts';
import type { Store } from './store/open.ts';

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
const logger = createLogger(config.logLevel);

// The ports are bound before anything is opened or written: a port that is taken (or not ours to take)
// ends the start in one line, with no database, admin token or lock file made for a server that never ran.
// Until the database is open the listeners answer 503 (see startingHandler); then the app takes over.
const starting = startingHandler(config);
let handle: RequestHandler = starting;
const server = http.createServer((req, res) => handle(req, res));
continueOnlyWhenAccepted(server);
// Headers must arrive within 30 s (Node's default is 60 s). There is no cap on a whole request (Node's
// default cuts any request at 5 minutes, a multi-GB upload included): a body is cut instead when no byte of
// it arrives for CAIRN_BODY_TIMEOUT_MS, which a slow but live upload never hits.
server.headersTimeout = 30_000;
server.requestTimeout = 0;
const requests = trackRequests(server);
// Prometheus on the same host scrapes this without a token; nothing else can reach it.
let handleMetrics: RequestHandler = starting;
const metricsServer = config.metricsPort === undefined ? undefined : http.createServer((req, res) => handleMetrics(req, res));
try {
  await bind(server, { port: config.port, host: config.host, portVariable: 'PORT', hostVariable: 'HOST' });
  if (metricsServer) await bind(metricsServer, { port: config.metricsPort!, host: '127.0.0.1', portVariable: 'CAIRN_METRICS_PORT' });
} catch (error) {
  if (!(error instanceof ListenRefused)) throw error;
  console.error(error.message);
  process.exit(1);
}
logger.info({ listening: boundPort(server) }, 'listening; opening the database');

// Loaded once the ports are ours: the app's modules take seconds to load on a busy machine.
const [{ createApp }, { collectGarbage }, { createMetricsHandler }, { DataDirLockedError }, { openStore }] = await Promise.all([
  import('./app.ts'),
  import('./files/blobReferences.ts'),
  import('./http/server.ts'),
  import('./store/dataDirLock.ts'),
  import('./store/open.ts'),
]);

let store: Store;
try {
  store = await openStore(config);
} catch (error) {
  // A known refusal is one clear line, not a stack trace.
  if (error instanceof DataDirLockedError) {
    console.error(error.message);
    process.exit(1);
  }
  logger.fatal({ err: error }, 'could not open the database');
  process.exit(1);
}

const app = await createApp(config, store, logger);
if (app.bootstrapToken) {
  // The first start on an empty database: the administrator's token, shown this once (never logged).
  const file = path.join(config.dataDir, 'admin-token');
  fs.mkdirSync(config.dataDir, { recursive: true });
  fs.writeFileSync(file, `${app.bootstrapToken}\n`, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
  process.stderr.write(
    `\nCairn created the administrator "admin" of the default context. Its API token (also in ${file}, mode 0600):\n\n    ${app.bootstrapToken}\n\n` +
      `Send it as "Authorization: Bearer <token>" (in GraphiQL at /graphql: the API token field at the top). It is not shown again.\n\n`,
  );
}
// Leftovers of a crash: staging files of uploads that never finished, blobs no format references.
collectGarbage(store.db, app.blobs).then(
  (removed) => (removed.staging || removed.blobs) && logger.info(removed, 'removed abandoned files'),
  (error: unknown) => logger.warn({ err: error }, 'could not clean up abandoned files'),
);
handle = app.handle;
if (metricsServer) {
  handleMetrics = createMetricsHandler(app.metrics);
  logger.info({ metricsPort: boundPort(metricsServer) }, 'metrics on 127.0.0.1 only');
}
const port = boundPort(server);
const where = store.kind === 'pglite' ? `embedded PostgreSQL in ${config.dataDir}` : 'PostgreSQL (DATABASE_URL)';
logger.info({ port, database: store.kind }, `Cairn is ready on ${where}: GraphiQL at http://localhost:${port}/graphql`);

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal, inFlight: requests.inFlight, graceMs: config.shutdownGraceMs }, 'stopping: ending subscriptions, then finishing requests in flight');
  // Subscriptions never finish by themselves: they end now, the other requests get the grace period.
  await app.feed.close();
  metricsServer?.close();
  const draining = requests.stop(config.shutdownGraceMs);
  // Said once it is true (stop() has closed the listener when it returns), so that what waits for it can rely on it.
  logger.info({ inFlight: requests.inFlight }, 'no new connections: the listener is closed');
  const drained = await draining;
  if (!drained) logger.warn({ cut: requests.inFlight }, 'the grace period ran out; the requests still in flight were cut off');
  await app.close();
  await store.close();
  logger.info('stopped');
  process.exit(0);
}
process.once('SIGINT', () => void stop('SIGINT'));
process.once('SIGTERM', () => void stop('SIGTERM'));
