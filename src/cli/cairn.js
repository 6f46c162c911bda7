#!/usr/bin/env node
// The `cairn` command (package.json "bin"): runs the TypeScript sources through tsx, as npm start does.
import { register } from 'tsx/esm/api';

register();
const { run } = await import('./main.ts');
process.exitCode = await run(process.argv.slice(2));
