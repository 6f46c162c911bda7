import { ConfigError } from '../config.ts';
import { DataDirLockedError } from '../store/dataDirLock.ts';
import { RebuildRunningError } from '../store/rebuild.ts';

/** Runs a one-shot operator task: its result on stdout, a known failure as one line on stderr, exit 1. */
export async function runOperation(task: () => Promise<string>): Promise<void> {
  try {
    console.log(await task());
  } catch (error) {
    if (error instanceof ConfigError || error instanceof DataDirLockedError || error instanceof RebuildRunningError) {
      console.error(error.message);
    } else {
      console.error(error);
    }
    process.exitCode = 1;
  }
}
