import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isProcessAlive, processStartTime } from '../processes.ts';

/**
 * PGlite lets two processes open one data directory and then silently loses committed writes, so Cairn
 * holds an exclusive lock file there. The lock names its owner by pid, start time and an instance id: a
 * lock left by a process that died (SIGKILL, power loss) is taken over at once, where an mtime-based lock
 * would make a restart wait, and so is one whose pid now belongs to another process, or to this one (a
 * server that runs as pid 1 in a container has pid 1 again after a crash).
 */
export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    /** The owner's pid; null when the lock file cannot be read. */
    readonly pid: number | null,
    reason?: string,
  ) {
    super(
      `${pid === null ? `The data directory ${dataDir} is locked (${reason}). ` : `Another Cairn process (pid ${pid}) is using the data directory ${dataDir}. `}` +
        'Stop it first, or point CAIRN_DATA_DIR at another directory (or DATABASE_URL at a PostgreSQL server to run several processes).',
    );
  }
}

interface Owner {
  pid: number;
  host: string;
  /** processStartTime(pid) when it took the lock; null where nothing can tell (and in older lock files). */
  startedAt: string | null;
  /** Tells this process's own lock from one left by an earlier process with the same pid and no start time. */
  instance: string | null;
}

const me: Owner = { pid: process.pid, host: os.hostname(), startedAt: processStartTime(process.pid), instance: randomUUID() };

function parseOwner(text: string): Owner | null {
  try {
    const o = JSON.parse(text) as Partial<Record<keyof Owner, unknown>>;
    if (!Number.isInteger(o.pid) || typeof o.host !== 'string') return null;
    const optional = (v: unknown) => (typeof v === 'string' ? v : null);
    return { pid: o.pid as number, host: o.host, startedAt: optional(o.startedAt), instance: optional(o.instance) };
  } catch {
    return null;
  }
}

/** Whether the process that wrote this lock is still running. */
function stillHeld(owner: Owner): boolean {
  // Another host's pid means nothing here; a shared directory across hosts is refused rather than guessed at.
  if (owner.host !== me.host) return true;
  // Our own pid is either this very process (a second lock here, which PGlite would not survive either) or
  // an earlier process that had the same pid and is gone, since only one process has a pid at a time.
  if (owner.pid === me.pid) return owner.instance === me.instance || (me.startedAt !== null && owner.startedAt === me.startedAt);
  if (!isProcessAlive(owner.pid)) return false;
  // A process with that pid runs: it is the owner unless it started at another time (the pid was reused).
  if (owner.startedAt === null) return true;
  const startedAt = processStartTime(owner.pid);
  return startedAt === null || startedAt === owner.startedAt;
}

/**
 * Creates the lock file with its content in one step (a hard link to a file written first), so that no
 * other process can read a lock half written and take it for garbage. Where the file system has no hard
 * links, an exclusive create does, with that small window.
 */
function tryCreate(file: string, content: string): boolean {
  const draft = `${file}.${randomUUID()}`;
  fs.writeFileSync(draft, content, { flag: 'wx', mode: 0o600 });
  try {
    fs.linkSync(draft, file);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw error;
    try {
      fs.writeFileSync(file, content, { flag: 'wx', mode: 0o600 });
      return true;
    } catch (fallback) {
      if ((fallback as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw fallback;
    }
  } finally {
    fs.rmSync(draft, { force: true });
  }
}

/**
 * Removes a lock judged stale, unless another process replaced it since it was read: the lock is moved
 * aside (atomically), and put back when what was moved is not what was judged.
 */
function removeStale(file: string, judged: string): void {
  const aside = `${file}.stale-${randomUUID()}`;
  try {
    fs.renameSync(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    if (fs.readFileSync(aside, 'utf8') !== judged) fs.linkSync(aside, file);
  } catch {
    // Someone created a lock meanwhile (EEXIST): theirs stands, and ours is refused on the next look.
  } finally {
    fs.rmSync(aside, { force: true });
  }
}

export interface DataDirLock {
  release(): void;
}

export function lockDataDir(dataDir: string): DataDirLock {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'cairn.lock');
  const content = JSON.stringify(me);
  let owner: Owner | null = null;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (tryCreate(file, content)) {
      const release = () => {
        const current = (() => {
          try {
            return fs.readFileSync(file, 'utf8');
          } catch {
            return null;
          }
        })();
        if (current === content) fs.rmSync(file, { force: true });
        process.off('exit', release);
      };
      process.on('exit', release);
      return { release };
    }
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') continue; // released meanwhile
      // Unreadable (another user's lock, say): nothing tells whether its owner runs, so it is not taken over.
      throw new DataDirLockedError(dataDir, null, `${file} cannot be read: ${code ?? 'unknown error'}`);
    }
    owner = parseOwner(text);
    // A lock is written whole (tryCreate), so one that names no owner is garbage (a damaged disk, a person).
    if (owner && stillHeld(owner)) throw new DataDirLockedError(dataDir, owner.pid);
    removeStale(file, text);
  }
  throw owner ? new DataDirLockedError(dataDir, owner.pid) : new DataDirLockedError(dataDir, null, `${file} keeps changing`);
}
