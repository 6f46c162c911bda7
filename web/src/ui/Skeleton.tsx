import type { ReactNode } from 'react';

/** A grey placeholder bar while data loads; `lines` stacks several. Hidden from screen readers (say "Loading" in a status instead). */
export function Skeleton({ lines = 1, width, height }: { lines?: number; width?: string; height?: string }) {
  return (
    <div className="skeleton-group" aria-hidden="true">
      {Array.from({ length: lines }, (_, i) => (
        <div key={i} className="skeleton" style={{ width: width ?? (i === lines - 1 && lines > 1 ? '60%' : '100%'), height }} />
      ))}
    </div>
  );
}

/** A region that is loading: skeletons plus a polite "Loading …" for screen readers. */
export function Loading({ label = 'Loading', lines = 3 }: { label?: string; lines?: number }) {
  return (
    <div role="status" aria-live="polite" className="loading">
      <span className="visually-hidden">{label}…</span>
      <Skeleton lines={lines} />
    </div>
  );
}

/** What an empty list or page says: what is (not) here and what to do next. `level`: the title's heading level (1 on a page with no other h1). */
export function EmptyState({ title, children, action, level = 2 }: { title: ReactNode; children?: ReactNode; action?: ReactNode; level?: 1 | 2 | 3 }) {
  const Heading = `h${level}` as 'h2';
  return (
    <div className="empty-state">
      <Heading className="empty-title">{title}</Heading>
      {children && <div className="empty-body">{children}</div>}
      {action && <div className="empty-action">{action}</div>}
    </div>
  );
}
