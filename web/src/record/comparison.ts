// Model.comparison's rows, arranged as the comparison view shows them: grouped by section, in the schema's
// section order, optionally only the rows whose values differ.
export type Section = 'HYPERPARAMETERS' | 'CONFIG' | 'METRICS';

export interface Row {
  section: Section;
  key: string;
  dataset?: string | null;
  differs: boolean;
  values: readonly unknown[];
}

export const SECTION_ORDER: readonly Section[] = ['HYPERPARAMETERS', 'CONFIG', 'METRICS'];
export const SECTION_TITLE: Record<Section, string> = { HYPERPARAMETERS: 'Hyperparameters', CONFIG: 'Config', METRICS: 'Metrics' };

export interface RowGroup<R extends Row> {
  section: Section;
  rows: R[];
}

/** The rows by section (empty sections left out), each keeping the server's order; metrics by dataset, then name. */
export function groupRows<R extends Row>(rows: readonly R[], onlyDifferences: boolean): RowGroup<R>[] {
  const kept = onlyDifferences ? rows.filter((r) => r.differs) : rows;
  return SECTION_ORDER.map((section) => {
    const inSection = kept.filter((r) => r.section === section);
    if (section === 'METRICS') inSection.sort((a, b) => (a.dataset ?? '').localeCompare(b.dataset ?? '') || a.key.localeCompare(b.key));
    return { section, rows: inSection };
  }).filter((g) => g.rows.length > 0);
}

/** A compared value as text: strings as they are, numbers and objects as JSON; null is a key the version lacks. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}
