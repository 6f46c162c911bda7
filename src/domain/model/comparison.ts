import type { JsonValue } from '../rules.ts';

/**
 * Versions side by side: every hyperparameter and config key any of them has (nested objects flattened to
 * dotted keys, `optimizer.beta`; arrays compared whole), and every metric of the latest evaluation of each
 * on each dataset. Pure: the GraphQL layer gives it the versions and their evaluations.
 */
export type ComparisonSection = 'HYPERPARAMETERS' | 'CONFIG' | 'METRICS';

export interface ComparisonRow {
  section: ComparisonSection;
  key: string;
  /** The dataset's URI, for a METRICS row; null for the others. */
  dataset: string | null;
  /** One per version, in the order given; null where a version lacks the key. */
  values: (JsonValue | null)[];
  /** Whether the values are not all the same (a lacking key counts as null). */
  differs: boolean;
}

export interface ComparedVersion {
  hyperparameters: Record<string, JsonValue>;
  config: Record<string, JsonValue>;
  /** In the order recorded: the last on a dataset is the one compared. */
  evaluations: readonly { dataset: { uri: string }; metrics: Record<string, number> }[];
}

const isObject = (v: unknown): v is Record<string, JsonValue> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Leaves of a JSON object by dotted path; an empty object is a leaf of its own (else it would vanish). */
export function flatten(value: Record<string, JsonValue>, prefix = '', out = new Map<string, JsonValue>()): Map<string, JsonValue> {
  for (const [key, v] of Object.entries(value)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (isObject(v) && Object.keys(v).length > 0) flatten(v, path, out);
    else out.set(path, v);
  }
  return out;
}

/** JSON with object keys sorted, so that equal values compare equal whatever their keys' order. */
function canonical(value: JsonValue | null): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k]!)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function row(section: ComparisonSection, key: string, dataset: string | null, values: (JsonValue | null)[]): ComparisonRow {
  const first = canonical(values[0] ?? null);
  return { section, key, dataset, values, differs: values.some((v) => canonical(v) !== first) };
}

function settingRows(section: ComparisonSection, settings: readonly Record<string, JsonValue>[]): ComparisonRow[] {
  const flat = settings.map((s) => flatten(s));
  const keys = [...new Set(flat.flatMap((m) => [...m.keys()]))].sort(byCodePoint);
  return keys.map((key) => row(section, key, null, flat.map((m) => (m.has(key) ? m.get(key)! : null))));
}

/** Hyperparameters, then config, by key; then metrics by dataset URI and metric name. */
export function compareVersions(versions: readonly ComparedVersion[]): ComparisonRow[] {
  // The latest evaluation of each version on each dataset.
  const latest = versions.map((v) => {
    const byDataset = new Map<string, Record<string, number>>();
    for (const e of v.evaluations) byDataset.set(e.dataset.uri, e.metrics);
    return byDataset;
  });
  const pairs = new Map<string, { dataset: string; key: string }>();
  for (const byDataset of latest) {
    for (const [dataset, metrics] of byDataset) for (const key of Object.keys(metrics)) pairs.set(JSON.stringify([dataset, key]), { dataset, key });
  }
  const metricRows = [...pairs.values()]
    .sort((a, b) => byCodePoint(a.dataset, b.dataset) || byCodePoint(a.key, b.key))
    .map(({ dataset, key }) => row('METRICS', key, dataset, latest.map((m) => {
      const metrics = m.get(dataset);
      // Own keys only: a metric named `constructor` is not Object's.
      return metrics && Object.hasOwn(metrics, key) ? metrics[key]! : null;
    })));
  return [
    ...settingRows(
      'HYPERPARAMETERS',
      versions.map((v) => v.hyperparameters),
    ),
    ...settingRows(
      'CONFIG',
      versions.map((v) => v.config),
    ),
    ...metricRows,
  ];
}
