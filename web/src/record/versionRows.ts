// The versions table's rows: the live versions, newest first, with a row for each run of deleted numbers
// between them, so that a gap (version 4 deleted) is seen rather than guessed.
export type TableRow<V> = { kind: 'version'; version: V } | { kind: 'gap'; from: number; to: number; count: number };

/** `versions` in any order; numbers are unique. A gap row sits between two live versions whose numbers are not adjacent. */
export function withGaps<V extends { number: number }>(versions: readonly V[]): TableRow<V>[] {
  const sorted = [...versions].sort((a, b) => b.number - a.number);
  const rows: TableRow<V>[] = [];
  sorted.forEach((version, i) => {
    const newer = sorted[i - 1];
    if (newer && newer.number - version.number > 1) rows.push({ kind: 'gap', from: version.number + 1, to: newer.number - 1, count: newer.number - version.number - 1 });
    rows.push({ kind: 'version', version });
  });
  return rows;
}

/** What a gap row says: "Version 4 deleted", "Versions 4-6 deleted (3)". */
export function gapText(gap: { from: number; to: number; count: number }): string {
  return gap.count === 1 ? `Version ${gap.from} deleted` : `Versions ${gap.from}–${gap.to} deleted (${gap.count})`;
}

export const MIN_COMPARED = 2;
export const MAX_COMPARED = 10;
