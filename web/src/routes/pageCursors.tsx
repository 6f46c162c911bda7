import { useEffect, useState } from 'react';
import { type Client, useClient } from 'urql';
import { graphql } from '../generated/index.ts';

// Only the cursors of a stretch of the list: to find where page n starts after a reload or a pasted link.
const ModelCursorsQuery = graphql(`
  query DashboardModelCursors($first: Int, $after: String, $search: String, $tags: [String!], $orderBy: ModelOrder) {
    models(first: $first, after: $after, search: $search, tags: $tags, orderBy: $orderBy) {
      edges {
        cursor
      }
    }
  }
`);

export interface ListFilter {
  search: string | null;
  tags: string[] | null;
  orderBy: { field: 'NAME' | 'CREATED_AT' | 'UPDATED_AT'; direction: 'ASC' | 'DESC' };
}

/** Known page starts (the cursor to pass as `after`) per filter, for this tab: filter JSON → page → cursor. */
const known = new Map<string, Map<number, string>>();

/** Notes where `page` starts (the previous page's endCursor), so going to it needs no walk. */
export function rememberPageStart(filter: ListFilter, page: number, cursor: string | null | undefined): void {
  if (!cursor) return;
  const key = JSON.stringify(filter);
  if (!known.has(key)) known.set(key, new Map());
  known.get(key)!.set(page, cursor);
}

/** Walks the list (cursors only, 100 at a time) from the last known page start to `page`'s; null past the end. */
async function walk(client: Client, filter: ListFilter, page: number, pageSize: number): Promise<string | null> {
  const key = JSON.stringify(filter);
  const starts = known.get(key) ?? new Map<number, string>();
  known.set(key, starts);
  let from = 1;
  for (const p of starts.keys()) if (p <= page && p > from) from = p;
  let after: string | null = from > 1 ? starts.get(from)! : null;
  while (from < page) {
    const take = Math.min(100, (page - from) * pageSize);
    const result = await client.query(ModelCursorsQuery, { ...filter, first: take, after }, { requestPolicy: 'network-only' }).toPromise();
    if (result.error) throw result.error;
    const edges = result.data?.models.edges ?? [];
    for (let i = pageSize; i <= edges.length; i += pageSize) starts.set(from + i / pageSize, edges[i - 1]!.cursor);
    if (edges.length < take) return starts.get(page) ?? null;
    from += take / pageSize;
    after = starts.get(from) ?? null;
  }
  return starts.get(page) ?? null;
}

export type PageStart = { state: 'ready'; after: string | null } | { state: 'walking' } | { state: 'past-end' } | { state: 'error'; error: unknown; retry: () => void };

/** Where `page` of the filtered list starts: at once for page 1 or a known page, else after a walk. */
export function usePageStart(filter: ListFilter, page: number, pageSize: number): PageStart {
  const client = useClient();
  const key = JSON.stringify(filter);
  const cached = page === 1 ? null : known.get(key)?.get(page);
  const [walked, setWalked] = useState<{ key: string; page: number; result: PageStart } | null>(null);
  const [attempt, setAttempt] = useState(0);
  const needsWalk = page > 1 && cached === undefined;
  useEffect(() => {
    if (!needsWalk) return;
    let live = true;
    walk(client, JSON.parse(key) as ListFilter, page, pageSize).then(
      (after) => live && setWalked({ key, page, result: after ? { state: 'ready', after } : { state: 'past-end' } }),
      (error: unknown) => live && setWalked({ key, page, result: { state: 'error', error, retry: () => (setWalked(null), setAttempt((a) => a + 1)) } }),
    );
    return () => {
      live = false;
    };
  }, [client, key, page, pageSize, needsWalk, attempt]);
  if (!needsWalk) return { state: 'ready', after: cached ?? null };
  if (walked && walked.key === key && walked.page === page) return walked.result;
  return { state: 'walking' };
}
