// `npm run rebuild`: empties the read models and replays the whole event log into them.
import { loadConfig } from '../config.ts';
import { openStore } from '../store/open.ts';
import { rebuildProjections } from '../store/rebuild.ts';
import { runOperation } from './runOperation.ts';

await runOperation(async () => {
  const store = await openStore(loadConfig());
  try {
    const started = performance.now();
    const { events } = await rebuildProjections(store.db);
    const seconds = (performance.now() - started) / 1000;
    return `Rebuilt the read models from ${events} events in ${seconds.toFixed(2)} s (${store.kind}).`;
  } finally {
    await store.close();
  }
});
