import { useState } from 'react';
import { useCairn } from '../cairn.tsx';
import { Button, CopyButton } from '../ui/index.ts';
import { snippets } from './snippets.ts';

interface Usable {
  number: number;
  aliases: readonly string[];
  formats: readonly { id: string; sha256: string; signedUrl?: string | null }[];
}

/** "Use this version": the code that fetches its file with each client, and the sha256 to check it against. */
export function UseThisVersion({ model, version }: { model: string; version: Usable }) {
  const { context } = useCairn();
  const [chosen, setChosen] = useState<string | null>(null);
  if (version.formats.length === 0) return null;
  const format = version.formats.find((f) => f.id === chosen) ?? version.formats[0]!;
  const list = snippets({ origin: location.origin, context, model, number: version.number, alias: version.aliases[0] ?? null, format: format.id, signedUrl: format.signedUrl ?? null });
  return (
    <section aria-labelledby="use-heading" className="use-version">
      <h3 id="use-heading">Use this version</h3>
      {version.formats.length > 1 && (
        <div role="group" aria-label="Format" className="segmented">
          {version.formats.map((f) => (
            <Button key={f.id} size="sm" variant={f.id === format.id ? 'primary' : 'secondary'} aria-pressed={f.id === format.id} onClick={() => setChosen(f.id)}>
              {f.id}
            </Button>
          ))}
        </div>
      )}
      <p className="use-sha">
        sha256 of the {format.id} file: <code className="sha256">{format.sha256}</code> <CopyButton value={format.sha256} label="Copy sha256" />
      </p>
      {list.map((s) => (
        <figure key={s.id} className="snippet" data-snippet={s.id}>
          <figcaption>
            {s.label} <CopyButton value={s.code} label={`Copy ${s.label}`} />
          </figcaption>
          {/* Focusable, so that a long line can be scrolled from the keyboard. */}
          <pre tabIndex={0}>
            <code>{s.code}</code>
          </pre>
        </figure>
      ))}
    </section>
  );
}
