// @ts-check
// Exit codes and the usage error, shared by the command tree (program.js) and the actions (actions.ts).
import { CommanderError } from 'commander';

/** Exit codes a shell script can branch on. */
export const EXIT = /** @type {const} */ ({ ok: 0, refused: 1, usage: 2, unreachable: 3 });

/** A usage error: printed as `error: ...`, exit 2. @param {string} message */
export const usage = (message) => new CommanderError(EXIT.usage, 'cairn.usage', message);
