/**
 * Resolves once this machine's clock (the database's too: same host) reads later than `time`, at the
 * millisecond, the precision of `recorded_at`. For a test that asks for a model as of an event's own
 * timestamp: what it does next is then recorded at a later time, whatever the load, and however fast a
 * command is (two in one millisecond would share a timestamp, and asOf could not tell them apart).
 */
export async function clockPast(time: Date | string): Promise<void> {
  const t = new Date(time).getTime();
  while (Date.now() <= t) await new Promise((resolve) => setTimeout(resolve, t - Date.now() + 1));
}
