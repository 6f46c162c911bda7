import { ConfigError } from '../config.ts';
import { DataDirLockedError } from '../store/dataDirLock.ts';
import { StoreNotReadyError } from '../store/open.ts';
import { RebuildRunningError } from '../store/rebuild.ts';

/** A task's own verdict that it failed (verify found problems): its message, alone, on stderr, and exit 1. */
export class OperationFailed extends Error {}

/** Failures an operator is told in one line: what is wrong is in the message, a stack would only hide it. */
const KNOWN = [ConfigError, DataDirLockedError, StoreNotReadyError, RebuildRunningError, OperationFailed];

/** Runs a one-shot operator task: its result on stdout, a known failure as one line on stderr, exit 1. */
export async function runOperation(task: () => Promise<string>): Promise<void> {
  try {
    console.log(await task());
  } catch (error) {
    if (KNOWN.some((known) => error instanceof known)) {
      console.error((error as Error).message);
    } else {
      console.error(error);
    }
    process.exitCode = 1;
  }
}
