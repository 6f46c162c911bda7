import { useLeaveGuard } from '../ui/index.ts';

/**
 * ui's useLeaveGuard, mounted only while there is work to lose: a router takes one blocker at a time, and a
 * version's page can hold two guarded things (an edit form and an upload). `what` finishes "Leave and lose …?".
 */
export function LeaveGuard({ what }: { what: string }) {
  return useLeaveGuard(true, what);
}
