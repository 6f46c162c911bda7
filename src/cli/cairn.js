#!/usr/bin/env node
// @ts-check
// The `cairn` command (package.json "bin"). It and program.js are JavaScript, so that `cairn --help`, a
// usage error or a refusal to delete without --yes cost Node, commander and nothing else. The TypeScript
// (actions.ts, the client) is loaded through tsx, registered by the first command that needs it: every
// such command talks to the server through the client, whose parameter properties are beyond Node's own
// type stripping, and stripping actions.ts natively as well would start Node's stripper on top of tsx
// (on Node 22 at every run). Node's compile cache keeps the bytecode of what was loaded for later runs.
import module from 'node:module';
import { run } from './program.js';

module.enableCompileCache?.();
/** @type {Promise<unknown> | undefined} */
let tsx;
const registerTsx = () => (tsx ??= import('tsx/esm/api').then(({ register }) => register()));

process.exitCode = await run(process.argv.slice(2), {
  async loadActions() {
    await registerTsx();
    return import('./actions.ts');
  },
  async loadClient() {
    await registerTsx();
    return import('../client/index.ts');
  },
});
