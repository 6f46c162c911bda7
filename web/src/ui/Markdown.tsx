import { lazy, Suspense } from 'react';
import type { MarkdownProps } from './MarkdownView.tsx';
import { Skeleton } from './Skeleton.tsx';

// react-markdown and remark-gfm load only where markdown is shown (not on the models list).
const MarkdownView = lazy(() => import('./MarkdownView.tsx'));

export type { MarkdownProps };

/** Rendered markdown (see MarkdownView): GFM, headings demoted, safe links, no raw HTML; loads its code on first use. */
export function Markdown(props: MarkdownProps) {
  if (!props.children?.trim()) return null;
  return (
    <Suspense fallback={<Skeleton lines={2} />}>
      <MarkdownView {...props} />
    </Suspense>
  );
}
