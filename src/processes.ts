import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/** Whether a process with this pid exists on this host (EPERM: it exists, owned by someone else). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let bootId: string | undefined;

/**
 * When the process with this pid started, as a string that tells apart two processes that had the same
 * pid: pids are reused, and a server that runs as pid 1 in a container has pid 1 again after every restart.
 * On Linux: the boot's id and the start time in clock ticks since boot (field 22 of /proc/<pid>/stat), so
 * a reboot cannot repeat it either; elsewhere what `ps` says (to the second). Null when there is no such
 * process or nothing can tell.
 */
export function processStartTime(pid: number): string | null {
  if (process.platform === 'linux') {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Field 2 is the command in parentheses, which may itself hold spaces and parentheses.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      bootId ??= fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
      const ticks = fields[19];
      return ticks && /^\d+$/.test(ticks) ? `${bootId}/${ticks}` : null;
    } catch {
      return null;
    }
  }
  if (process.platform === 'win32') return null;
  try {
    const started = execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return started || null;
  } catch {
    return null;
  }
}
