import { useEffect } from 'react';

/** Sets document.title to the parts joined with " · " and " · Cairn" after: useDocumentTitle('churn', 'v3') → "churn · v3 · Cairn". */
export function useDocumentTitle(...parts: (string | null | undefined | false)[]): void {
  const title = [...parts.filter((p): p is string => !!p), 'Cairn'].join(' · ');
  useEffect(() => {
    document.title = title;
  }, [title]);
}
