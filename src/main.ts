// The only file that listens and handles signals.
import { sql } from 'kysely';
import { loadConfig } from './config.ts';
import { runOperation } from './ops/runOperation.ts';
import { openStore } from './store/open.ts';

await runOperation(async () => {
  const config = loadConfig();
  const store = await openStore(config);
  const { rows } = await sql<{ models: string; events: string }>`
    select (select count(*) from models)::text as models, (select count(*) from events)::text as events`.execute(store.db);
  const where = store.kind === 'pglite' ? `embedded PostgreSQL in ${config.dataDir}` : 'PostgreSQL (DATABASE_URL)';
  const stop = async () => {
    await store.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return `Cairn store ready on ${where}: ${rows[0]!.models} models, ${rows[0]!.events} events. Ctrl-C stops.`;
});
