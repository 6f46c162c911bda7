// The only file that listens and handles signals.
import http from 'node:http';
import { createApp } from './app.ts';
import { type Config, ConfigError, loadConfig } from './config.ts';
import { collectGarbage } from './files/blobReferences.ts';
import { createLogger } from './logger.ts';
import { DataDirLockedError } from './store/dataDirLock.ts';
import { openStore, type Store } from './store/open.ts';

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
const logger = createLogger(config.logLevel);

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
// Leftovers of a crash: staging files of uploads that never finished, blobs no format references.
collectGarbage(store.db, app.blobs).then(
  (removed) => (removed.staging || removed.blobs) && logger.info(removed, 'removed abandoned files'),
  (error: unknown) => logger.warn({ err: error }, 'could not clean up abandoned files'),
);
const server = http.createServer(app.handle);
server.listen(config.port, config.host, () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const where = store.kind === 'pglite' ? `embedded PostgreSQL in ${config.dataDir}` : 'PostgreSQL (DATABASE_URL)';
  logger.info({ port, database: store.kind }, `Cairn is ready on ${where}: GraphiQL at http://localhost:${port}/graphql`);
});

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'stopping');
  server.close();
  server.closeIdleConnections();
  await app.close();
  await store.close();
  process.exit(0);
}
process.once('SIGINT', () => void stop('SIGINT'));
process.once('SIGTERM', () => void stop('SIGTERM'));
