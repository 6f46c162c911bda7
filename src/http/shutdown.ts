import type { Server } from 'node:http';

/**
 * Counts the requests a server has in flight, so that a stopping process can let them finish. Once
 * `stop` is called, the server accepts no new connection, idle keep-alive connections are closed, and
 * every response still to come asks its client to close the connection.
 */
export function trackRequests(server: Server) {
  let inFlight = 0;
  let stopping = false;
  const idle = new Set<() => void>();
  server.on('request', (req, res) => {
    inFlight++;
    if (stopping) res.setHeader('connection', 'close');
    res.once('close', () => {
      inFlight--;
      if (inFlight === 0) for (const resolve of idle) resolve();
    });
  });
  return {
    get inFlight() {
      return inFlight;
    },
    /**
     * Stops accepting, then waits up to graceMs for the requests in flight (uploads included) to end.
     * Resolves true when they all ended, false when the grace period ran out first.
     */
    async stop(graceMs: number): Promise<boolean> {
      stopping = true;
      server.close();
      server.closeIdleConnections();
      if (inFlight === 0) return true;
      let timer: NodeJS.Timeout | undefined;
      const drained = await Promise.race([
        new Promise<boolean>((resolve) => idle.add(() => resolve(true))),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), graceMs))),
      ]);
      clearTimeout(timer);
      server.closeAllConnections();
      return drained;
    },
  };
}
