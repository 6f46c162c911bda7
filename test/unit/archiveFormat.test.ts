// The archive's length is announced before its first byte (Content-Length), so it must be what tar-stream
// really writes for any members; and the event lines a reader accepts are exactly those the writer makes.
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { ArchiveRefused, archiveBytes, eventLine, EventLineReader } from '../../src/archive/format.ts';
import { readArchive } from '../../src/archive/read.ts';
import type { DomainEvent, Recorded } from '../../src/domain/envelope.ts';

async function packed(members: { name: string; size: number }[]): Promise<number> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve) => (pack as unknown as Readable).on('end', resolve));
  (pack as unknown as Readable).on('data', (c: Buffer) => chunks.push(c));
  for (const m of members) pack.entry({ name: m.name, size: m.size, mtime: new Date(0) }, Buffer.alloc(m.size, 7));
  pack.finalize();
  await done;
  return chunks.reduce((n, c) => n + c.length, 0);
}

describe('the archive format', () => {
  it("announces the length tar-stream writes, for any members' sizes", async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(5000), fc.array(fc.nat(3000), { maxLength: 6 }), async (manifest, sizes) => {
        const members = sizes.map((size, i) => ({ name: `blobs/${String(i).padStart(64, '0')}`, size, sha256: '' }));
        expect(await packed([{ name: 'manifest.json', size: manifest }, ...members])).toBe(archiveBytes(manifest, members));
      }),
      { numRuns: 60 },
    );
  });

  const event = (over: Partial<Recorded<DomainEvent>> = {}): Recorded<DomainEvent> => ({
    type: 'ModelCreated',
    data: { name: 'm', description: null, tags: [] },
    eventId: randomUUID(),
    schemaVersion: 2,
    streamId: randomUUID(),
    streamType: 'model',
    contextId: randomUUID(),
    streamVersion: 1,
    position: '1',
    recordedAt: new Date('2026-12-04T10:00:00.123Z'),
    metadata: { actor: 'admin', requestId: null },
    privateData: null,
    ...over,
  });

  it('reads back every envelope field of the lines it writes, and says which line is wrong and why', () => {
    const reader = new EventLineReader();
    const first = event();
    const row = reader.read(eventLine(first).trimEnd());
    expect(row).toEqual({
      position: '1', event_id: first.eventId, stream_id: first.streamId, stream_type: 'model', context_id: first.contextId, stream_version: 1,
      type: 'ModelCreated', schema_version: 2, data: first.data, private_data: null, metadata: first.metadata, recorded_at: '2026-12-04T10:00:00.123Z',
    });
    const wrong = (line: string) => {
      try {
        reader.read(line);
      } catch (error) {
        expect(error).toBeInstanceOf(ArchiveRefused);
        return (error as Error).message;
      }
      throw new Error('accepted');
    };
    expect(wrong(eventLine(event({ position: '1' })))).toMatch(/^events\.ndjson: line 2: position 1 does not come after 1/);
    expect(wrong(eventLine({ ...first, position: '3', streamVersion: 3 }))).toMatch(/line 3: stream .* goes from version 1 to 3/);
    expect(wrong(eventLine(event({ position: '4', type: 'Nope' })))).toMatch(/line 4: type "Nope" is not an event type of a model stream/);
    expect(wrong(eventLine(event({ position: '5', schemaVersion: 3 })))).toMatch(/line 5: ModelCreated at schema version 3: this Cairn reads up to 2/);
    expect(wrong(eventLine(event({ position: '6', contextId: null })))).toMatch(/line 6: a model event's contextId is null/);
    expect(wrong(eventLine(event({ position: '7', data: { name: 'a\u0000b' } })))).toMatch(/line 7: a string holds a NUL/);
    expect(wrong(eventLine(event({ position: '8', data: { name: 'a\ud800' } })))).toMatch(/line 8: a string holds a lone UTF-16 surrogate/);
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = [deep];
    expect(wrong(eventLine(event({ position: '9', data: { deep } })))).toMatch(/line 9: nested deeper than 64/);
    expect(wrong('{"position": "10"')).toMatch(/line 10: not a JSON object/);
    // A good line after all of them is still read: a refusal changes nothing of the reader's state.
    expect(reader.read(eventLine(event({ position: '11' })).trimEnd()).position).toBe('11');
  });

  it('refuses bytes that are not a tar, and a tar that does not begin with its manifest, naming what is wrong', async () => {
    await expect(readArchive(Readable.from([Buffer.from('not a tar at all, '.repeat(100))]))).rejects.toThrow(/damaged or cut short/);
    const pack = tar.pack();
    pack.entry({ name: 'events.ndjson' }, '');
    pack.finalize();
    await expect(readArchive(Readable.from(pack as unknown as AsyncIterable<Buffer>))).rejects.toThrow(/does not begin with manifest\.json/);
    await expect(readArchive(Readable.from([Buffer.alloc(1024)]))).rejects.toThrow(/the archive is empty: no manifest\.json/);
  });
});
