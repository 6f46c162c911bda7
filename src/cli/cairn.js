#!/usr/bin/env node
// @ts-check
// The `cairn` command (package.json "bin"). It and program.js are JavaScript, so that `cairn --help`
// costs Node, commander and nothing else. A command's actions (actions.ts) have their types stripped by
// Node itself where it can (22.18+, 23.6+, 24; Node 24 keeps the result in its compile cache, enabled
// here, so later starts skip the stripper), through tsx elsewhere. The client uses parameter properties,
// which stripping cannot remove: tsx is registered before it is first loaded.
import module from 'node:module';
import { run } from './program.js';

module.enableCompileCache?.();
/** @type {Promise<unknown> | undefined} */
let tsx;
const registerTsx = () => (tsx ??= import('tsx/esm/api').then(({ register }) => register()));

process.exitCode = await run(process.argv.slice(2), {
  async loadActions() {
    if (!process.features.typescript) await registerTsx();
    return import('./actions.ts');
  },
  async loadClient() {
    await registerTsx();
    return import('../client/index.ts');
  },
});
