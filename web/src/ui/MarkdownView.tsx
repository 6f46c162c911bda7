import type { ComponentProps } from 'react';
import ReactMarkdown, { type Components } from 'react-markdown';
import remarkGfm from 'remark-gfm';
import { safeHref } from './links.ts';

type HeadingLevel = 1 | 2 | 3 | 4 | 5 | 6;

/** Headings shifted `by` levels, capped at h6: with by=2, a description's `#` is an h3 under the page's h1 and h2. */
function demoted(by: number): Components {
  const make = (level: HeadingLevel) => {
    const Tag = `h${Math.min(6, level + by)}` as 'h3';
    return ({ node: _node, ...props }: ComponentProps<'h1'> & { node?: unknown }) => <Tag {...props} />;
  };
  return { h1: make(1), h2: make(2), h3: make(3), h4: make(4), h5: make(5), h6: make(6) };
}

const COMPONENTS_BY_DEMOTION = new Map<number, Components>();

function components(demote: number): Components {
  let found = COMPONENTS_BY_DEMOTION.get(demote);
  if (!found) {
    found = {
      ...demoted(demote),
      a: ({ href, children }) => {
        const safe = safeHref(href);
        return safe ? (
          <a href={safe} target="_blank" rel="noopener noreferrer">
            {children}
          </a>
        ) : (
          <span className="inert-link">{children}</span>
        );
      },
      // Images would load from anywhere when the page opens: shown as their text instead.
      img: ({ alt }) => <span className="inert-image">{alt ? `[${alt}]` : ''}</span>,
      table: ({ node: _node, ...props }) => (
        <div className="table-scroll">
          <table {...props} />
        </div>
      ),
    };
    COMPONENTS_BY_DEMOTION.set(demote, found);
  }
  return found;
}

export interface MarkdownProps {
  children: string | null | undefined;
  /** How many levels headings go down (default 2: `#` becomes h3). */
  demote?: number;
  className?: string;
}

/** Markdown with GitHub's extensions (tables, task lists, strikethrough, autolinks); raw HTML is dropped, not rendered. */
export default function MarkdownView({ children, demote = 2, className = 'markdown' }: MarkdownProps) {
  return (
    <div className={className}>
      <ReactMarkdown remarkPlugins={[remarkGfm]} skipHtml urlTransform={(url) => safeHref(url) ?? ''} components={components(demote)}>
        {children ?? ''}
      </ReactMarkdown>
    </div>
  );
}
