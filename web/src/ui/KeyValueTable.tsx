import type { ReactNode } from 'react';

/** A JSON value as short text: strings as is, everything else as compact JSON. */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  return JSON.stringify(value);
}

/**
 * Key/value rows: from an object (hyperparameters, config: nested values as JSON) or a list of [key, node]
 * pairs. `label` names the table; `empty` is shown instead when there are no rows.
 */
export function KeyValueTable({ label, value, rows, empty = 'None' }: { label: string; value?: unknown; rows?: [string, ReactNode][]; empty?: ReactNode }) {
  const entries: [string, ReactNode][] =
    rows ?? (value && typeof value === 'object' && !Array.isArray(value) ? Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, formatValue(v)]) : []);
  if (entries.length === 0) return <p className="muted">{empty}</p>;
  return (
    <table className="kv-table" aria-label={label}>
      <tbody>
        {entries.map(([key, node]) => (
          <tr key={key}>
            <th scope="row">{key}</th>
            <td>{node}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
