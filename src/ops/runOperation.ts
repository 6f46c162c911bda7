import { ConfigError } from '../config.ts';
import { DataDirLockedError } from '../store/dataDirLock.ts';
import { StoreNotReadyError } from '../store/open.ts';

/** A task's own verdict that it failed (verify found problems): its message, alone, on stderr, and exit 1. */
export class OperationFailed extends Error {}

/** Runs a one-shot operator task: its result on stdout, a known failure as one line on stderr, exit 1. */
export async function runOperation(task: () => Promise<string>): Promise<void> {
  try {
    console.log(await task());
  } catch (error) {
    if (error instanceof ConfigError || error instanceof DataDirLockedError || error instanceof StoreNotReadyError || error instanceof OperationFailed) {
      console.error(error.message);
    } else {
      console.error(error);
    }
    process.exitCode = 1;
  }
}
