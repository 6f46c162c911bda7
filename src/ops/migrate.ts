// `npm run migrate`: applies pending migrations to the configured database (start-up does this too).
import { loadConfig } from '../config.ts';
import { openStore } from '../store/open.ts';
import { runOperation } from './runOperation.ts';

await runOperation(async () => {
  const store = await openStore(loadConfig());
  await store.close();
  return `Migrated the ${store.kind} database to the latest schema.`;
});
