// `npm run rebuild`: replays the whole event log into new read-model tables and swaps them in, beside a
// running server (on PostgreSQL): readers see the old rows until the swap, and writes made meanwhile are kept.
import { loadConfig } from '../config.ts';
import { openStore } from '../store/open.ts';
import { rebuildProjections } from '../store/rebuild.ts';
import { runOperation } from './runOperation.ts';

await runOperation(async () => {
  const store = await openStore(loadConfig());
  try {
    const started = performance.now();
    const { events, refolded } = await rebuildProjections(store);
    const seconds = (performance.now() - started) / 1000;
    const meanwhile = refolded > 0 ? `, and again ${refolded} streams written to meanwhile` : '';
    return `Rebuilt the read models from ${events} events${meanwhile} in ${seconds.toFixed(2)} s (${store.kind}).`;
  } finally {
    await store.close();
  }
});
