// The identity cache's own rules, without a database: what it stores, and when it forgets.
import { describe, expect, it } from 'vitest';
import type { Identity } from '../../src/auth/identity.ts';
import { IdentityCache, identityKey } from '../../src/auth/identityCache.ts';

const identity = (tokenExpiresAt: Date | null = null): Identity => ({
  principal: { id: 'p', name: 'p', kind: 'user', superuser: false },
  tokenId: 't',
  tokenExpiresAt,
  context: { id: 'c', name: 'default' },
  roles: ['viewer'],
  permissions: new Set(),
});

/** A load the test resolves when it chooses, counting how often it is asked. */
function controlledLoad(answer: Identity) {
  const load = Object.assign(
    () => {
      load.calls++;
      return new Promise<Identity>((resolve) => (load.release = () => resolve(answer)));
    },
    { calls: 0, release: () => {} },
  );
  return load;
}

const counting = (answer: Identity) => {
  const load = Object.assign(async () => (load.calls++, answer), { calls: 0 });
  return load;
};

describe('the identity cache', () => {
  it('answers a second lookup without loading', async () => {
    const cache = new IdentityCache();
    const load = counting(identity());
    await cache.lookup('k', load);
    expect(await cache.lookup('k', load)).toEqual(identity());
    expect(load.calls).toBe(1);
  });

  it('does not store what a lookup begun before an emptying found after it', async () => {
    const cache = new IdentityCache();
    const load = controlledLoad(identity());
    const pending = cache.lookup('k', load);
    cache.invalidate('notify');
    load.release();
    await pending;
    expect(cache.size).toBe(0);
    await cache.lookup('k', counting(identity()));
    expect(cache.size).toBe(1);
  });

  it('stores no refusal: what a load throws is passed on, and the next lookup loads again', async () => {
    const cache = new IdentityCache();
    let calls = 0;
    const refuse = async (): Promise<Identity> => {
      calls++;
      throw new Error('no such token');
    };
    await expect(cache.lookup('k', refuse)).rejects.toThrow('no such token');
    await expect(cache.lookup('k', refuse)).rejects.toThrow('no such token');
    expect(calls).toBe(2);
  });

  it("refuses a cached identity once its token's expiry has passed, by its own clock", async () => {
    let now = 1_000;
    const cache = new IdentityCache({ now: () => now });
    const load = counting(identity(new Date(2_000)));
    expect(await cache.lookup('k', load)).not.toBeNull();
    now = 1_999;
    expect(await cache.lookup('k', load)).not.toBeNull();
    now = 2_000;
    expect(await cache.lookup('k', load)).toBeNull();
    expect(load.calls).toBe(1);
  });

  it('stores nothing while its listener is lost, and again once a notification says it is back', async () => {
    const events: string[] = [];
    const cache = new IdentityCache({ observer: { hit: () => events.push('hit'), miss: () => events.push('miss') } });
    cache.on('emptied', (cause) => events.push(cause));
    const load = counting(identity());
    await cache.lookup('k', load);
    cache.suspend();
    await cache.lookup('k', load);
    await cache.lookup('k', load);
    // This process's own command does not say the listener is back.
    cache.invalidate('command');
    await cache.lookup('k', load);
    cache.invalidate('notify');
    await cache.lookup('k', load);
    await cache.lookup('k', load);
    expect(events).toEqual(['miss', 'listener-lost', 'miss', 'miss', 'command', 'miss', 'notify', 'miss', 'hit']);
  });

  it('keeps at most its size, forgetting the least recently used', async () => {
    const cache = new IdentityCache({ max: 2 });
    const load = counting(identity());
    for (const key of ['a', 'b', 'a', 'c']) await cache.lookup(key, load);
    expect(cache.size).toBe(2);
    await cache.lookup('a', load);
    expect(load.calls).toBe(3);
    await cache.lookup('b', load);
    expect(load.calls).toBe(4);
  });

  it('keys by the hash and the context asked for, telling none from an empty name', () => {
    const hash = 'ab'.repeat(32);
    expect(new Set([identityKey(hash, null), identityKey(hash, ''), identityKey(hash, 'default')]).size).toBe(3);
  });
});
