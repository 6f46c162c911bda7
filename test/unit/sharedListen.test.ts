import { expect, it } from 'vitest';
import { sharedListen } from '../../src/store/sharedListen.ts';

it('holds one LISTEN per channel for all its followers, and ends it with the last', async () => {
  const calls: string[] = [];
  const notify = new Map<string, () => void>();
  const lost = new Map<string, () => void>();
  const listen = sharedListen(async (channel, onNotify, onLost) => {
    calls.push(`listen ${channel}`);
    notify.set(channel, onNotify);
    if (onLost) lost.set(channel, onLost);
    return async () => void calls.push(`unlisten ${channel}`);
  });
  const seen: string[] = [];
  const a = await listen('events', () => seen.push('a'), () => seen.push('a lost'));
  const b = await listen('events', () => seen.push('b'));
  const c = await listen('access', () => seen.push('c'));
  expect(calls).toEqual(['listen events', 'listen access']);
  notify.get('events')!();
  lost.get('events')!();
  notify.get('access')!();
  expect(seen).toEqual(['a', 'b', 'a lost', 'c']);
  await a();
  expect(calls).toHaveLength(2);
  notify.get('events')!();
  expect(seen.at(-1)).toBe('b');
  await b();
  await c();
  expect(calls).toEqual(['listen events', 'listen access', 'unlisten events', 'unlisten access']);
  // A channel followed again after its end is listened to anew.
  await listen('events', () => undefined);
  expect(calls.at(-1)).toBe('listen events');
});
