import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isProcessAlive } from '../processes.ts';

/**
 * PGlite lets two processes open one data directory and then silently loses committed writes, so Cairn
 * holds an exclusive lock file there. The lock names its owner's pid: a lock left by a process that died
 * (SIGKILL, power loss) is taken over at once, where an mtime-based lock would make a restart wait.
 */
export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `Another Cairn process (pid ${pid}) is using the data directory ${dataDir}. ` +
        'Stop it first, or point CAIRN_DATA_DIR at another directory (or DATABASE_URL at a PostgreSQL server to run several processes).',
    );
  }
}

interface Owner {
  pid: number;
  host: string;
}


function readOwner(file: string): Owner | null {
  try {
    const owner = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<Owner>;
    return typeof owner.pid === 'number' && typeof owner.host === 'string' ? (owner as Owner) : null;
  } catch {
    return null;
  }
}

export interface DataDirLock {
  release(): void;
}

export function lockDataDir(dataDir: string): DataDirLock {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'cairn.lock');
  const me: Owner = { pid: process.pid, host: os.hostname() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify(me), { flag: 'wx', mode: 0o600 });
      const release = () => {
        const owner = readOwner(file);
        if (owner?.pid === me.pid && owner.host === me.host) fs.rmSync(file, { force: true });
        process.off('exit', release);
      };
      process.on('exit', release);
      return { release };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = readOwner(file);
      // Another host's pid means nothing here; a shared directory across hosts is refused rather than guessed at.
      if (owner && (owner.host !== me.host || isProcessAlive(owner.pid))) throw new DataDirLockedError(dataDir, owner.pid);
      fs.rmSync(file, { force: true });
    }
  }
  throw new DataDirLockedError(dataDir, -1);
}
