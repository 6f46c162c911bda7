import { useEffect, useRef } from 'react';

/** Sets document.title to the parts joined with " · " and " · Cairn" after: useDocumentTitle('churn', 'v3') → "churn · v3 · Cairn". */
export function useDocumentTitle(...parts: (string | null | undefined | false)[]): void {
  const given = parts.filter((p): p is string => !!p);
  // No parts: leave the title to a view inside (effects run child first, so a frame would overwrite it).
  const title = given.length ? [...given, 'Cairn'].join(' · ') : null;
  useEffect(() => {
    if (title) document.title = title;
  }, [title]);
}

/**
 * The last data a query had, kept while a newer request fails (offline keeps the last data on screen).
 * `key` names what the data is about (a model's name): data for another key is not kept.
 */
export function useLastData<T>(data: T | undefined, key = ''): T | undefined {
  const last = useRef<{ key: string; data: T | undefined }>({ key, data });
  if (data !== undefined) last.current = { key, data };
  return data ?? (last.current.key === key ? last.current.data : undefined);
}
