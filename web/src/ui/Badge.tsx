import type { ReactNode } from 'react';

export type BadgeTone = 'draft' | 'published' | 'neutral' | 'danger' | 'info';

/** A status badge. `status` takes the schema's VersionStatus (DRAFT, PUBLISHED) and picks the tone and text. */
export function Badge({ status, tone, children }: { status?: 'DRAFT' | 'PUBLISHED' | string; tone?: BadgeTone; children?: ReactNode }) {
  const resolved: BadgeTone = tone ?? (status === 'PUBLISHED' ? 'published' : status === 'DRAFT' ? 'draft' : 'neutral');
  return <span className={`badge badge-${resolved}`}>{children ?? status?.toLowerCase()}</span>;
}

/** A tag or alias chip; `onRemove` adds a remove button named "Remove <label>". */
export function Chip({ children, kind = 'tag', onRemove, title }: { children: string; kind?: 'tag' | 'alias'; onRemove?: () => void; title?: string }) {
  return (
    <span className={`chip chip-${kind}`} title={title}>
      {children}
      {onRemove && (
        <button type="button" className="chip-remove" aria-label={`Remove ${children}`} onClick={onRemove}>
          ×
        </button>
      )}
    </span>
  );
}

/** Chips for a list of tags; nothing when there are none (or `empty` text). */
export function ChipList({ items, kind = 'tag', label, empty }: { items: readonly string[]; kind?: 'tag' | 'alias'; label?: string; empty?: ReactNode }) {
  if (items.length === 0) return empty ? <span className="muted">{empty}</span> : null;
  return (
    <ul className="chip-list" aria-label={label}>
      {items.map((item) => (
        <li key={item}>
          <Chip kind={kind}>{item}</Chip>
        </li>
      ))}
    </ul>
  );
}
