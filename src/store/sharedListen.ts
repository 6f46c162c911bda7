import type { Store } from './open.ts';

type Listen = Store['listen'];

/**
 * One LISTEN per channel for the whole process, however many parts of it follow the channel: on PostgreSQL
 * each LISTEN holds a connection of its own, so the feed, the identity cache and the webhook worker share
 * them rather than each taking one.
 */
export function sharedListen(listen: Listen): Listen {
  const channels = new Map<string, { followers: Set<{ onNotify: () => void; onLost?: () => void }>; started: Promise<() => Promise<void>> }>();
  return async (channel, onNotify, onLost) => {
    let entry = channels.get(channel);
    if (!entry) {
      const followers = new Set<{ onNotify: () => void; onLost?: () => void }>();
      const started = listen(
        channel,
        () => {
          for (const f of followers) f.onNotify();
        },
        () => {
          for (const f of followers) f.onLost?.();
        },
      );
      entry = { followers, started };
      channels.set(channel, entry);
      started.catch(() => channels.delete(channel));
    }
    const follower = { onNotify, onLost };
    entry.followers.add(follower);
    try {
      await entry.started;
    } catch (error) {
      entry.followers.delete(follower);
      throw error;
    }
    const current = entry;
    return async () => {
      current.followers.delete(follower);
      if (current.followers.size === 0 && channels.get(channel) === current) {
        channels.delete(channel);
        await (await current.started)();
      }
    };
  };
}
