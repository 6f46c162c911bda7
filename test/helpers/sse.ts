/** Reads GraphQL-over-SSE `next` events from a response body, one at a time. */
export function sseReader(body: ReadableStream<Uint8Array>) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const queue: any[] = [];
  return {
    /**
     * The next event, whenever it comes: the test's own timeout bounds the wait. With `timeoutMs`, fails
     * after that long instead (for a test that must tell "nothing came" apart).
     */
    async next(timeoutMs?: number): Promise<any> {
      const deadline = timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
      while (queue.length === 0) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        if (deadline === undefined) chunk = await reader.read();
        else {
          const remaining = deadline - Date.now();
          if (remaining <= 0) throw new Error('no event in time');
          let timer: NodeJS.Timeout | undefined;
          chunk = await Promise.race([
            reader.read(),
            new Promise<never>((_, reject) => {
              timer = setTimeout(() => reject(new Error('no event in time')), remaining);
            }),
          ]).finally(() => clearTimeout(timer));
        }
        if (chunk.done) throw new Error('stream ended');
        buffer += decoder.decode(chunk.value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const message = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const lines = message.split('\n');
          const event = lines.find((l) => l.startsWith('event:'))?.slice(6).trim();
          const data = lines.filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\n');
          if (event === 'next' && data) queue.push(JSON.parse(data));
          if (event === 'complete') queue.push({ complete: true });
        }
      }
      return queue.shift();
    },
    cancel: () => reader.cancel().catch(() => {}),
  };
}

export const MODEL_EVENTS = `subscription ($modelId: ID, $after: String) {
  modelEvents(modelId: $modelId, after: $after) { position type actor modelId data }
}`;
