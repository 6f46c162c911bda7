#!/usr/bin/env node
// @ts-check
// The `cairn` command (package.json "bin"). It and program.js are JavaScript, so `cairn --help` costs
// Node, commander and nothing else. A command's actions (actions.ts) have their types stripped by Node
// itself (22.18+, 23.6+, 24; Node 24 keeps the result in its compile cache, enabled here, so that later
// starts skip the stripper). The client uses parameter properties, which stripping cannot remove: tsx is
// registered before it is first loaded, or up front on a Node that does not strip types.
import module from 'node:module';
import { run } from './program.js';

module.enableCompileCache?.();
/** @type {Promise<unknown> | undefined} */
let tsx = process.features.typescript ? undefined : registerTsx();
await tsx;
process.exitCode = await run(process.argv.slice(2), {
  async loadClient() {
    await (tsx ??= registerTsx());
    return import('../client/index.ts');
  },
});

async function registerTsx() {
  const { register } = await import('tsx/esm/api');
  return register();
}
