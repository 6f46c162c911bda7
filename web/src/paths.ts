/**
 * The dashboard's URLs. Context and model names are URL-encoded path segments (a model's id works wherever a
 * name does). Every view is one of these, so reload, Back and a pasted link show the same thing.
 */
const seg = encodeURIComponent;

export interface ListQuery {
  search?: string;
  tags?: string[];
  sort?: string;
  page?: number;
}

export const paths = {
  models(context: string, query: ListQuery = {}): string {
    const params = new URLSearchParams();
    if (query.search) params.set('search', query.search);
    for (const tag of query.tags ?? []) params.append('tag', tag);
    if (query.sort) params.set('sort', query.sort);
    if (query.page && query.page > 1) params.set('page', String(query.page));
    const text = params.toString();
    return `/${seg(context)}/models${text ? `?${text}` : ''}`;
  },
  model: (context: string, model: string): string => `/${seg(context)}/models/${seg(model)}`,
  version: (context: string, model: string, number: number): string => `${paths.model(context, model)}/versions/${number}`,
  history: (context: string, model: string): string => `${paths.model(context, model)}/history`,
  compare: (context: string, model: string, numbers: readonly number[] = []): string =>
    `${paths.model(context, model)}/compare${numbers.length ? `?versions=${numbers.join(',')}` : ''}`,
  newVersion: (context: string, model: string): string => `${paths.model(context, model)}/new-version`,
};

/** `?versions=1,3,x` → [1, 3]: positive integers only, each once, at most `max`. */
export function parseNumbers(text: string | null, max = 10): number[] {
  const numbers: number[] = [];
  for (const part of (text ?? '').split(',')) {
    if (!/^\d{1,9}$/.test(part.trim())) continue;
    const n = Number(part.trim());
    if (n > 0 && !numbers.includes(n)) numbers.push(n);
    if (numbers.length === max) break;
  }
  return numbers;
}

export const isUuid = (value: string): boolean => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
