import { resolveCursorConnection } from '@pothos/plugin-relay';
import { GraphQLError } from 'graphql';

/** The most items one page of any connection may hold. */
export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

export interface PageArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
}

export function invalidArgument(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'VALIDATION' } });
}

/** Refuses page sizes outside 0..100 in words, rather than quietly returning fewer items than asked. */
export function checkPageSize(args: PageArgs): void {
  for (const key of ['first', 'last'] as const) {
    const n = args[key];
    if (n != null && (n < 0 || n > MAX_PAGE_SIZE)) throw invalidArgument(`\`${key}\` must be between 0 and ${MAX_PAGE_SIZE}`);
  }
}

/** Opaque cursors: base64url of a small JSON value. */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeCursor<T>(cursor: string, isValid: (value: unknown) => value is T): T {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (isValid(value)) return value;
  } catch {
    // falls through to the error below
  }
  throw invalidArgument('The cursor is not one this list gave out');
}

export interface Page<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { startCursor: string | null; endCursor: string | null; hasPreviousPage: boolean; hasNextPage: boolean };
  /** A number, or how to count: only a query that asks for totalCount pays for it. */
  totalCount: number | (() => Promise<number>);
}

/** A connection's totalCount field. */
export const totalCountOf = (page: { totalCount: number | (() => Promise<number>) }) => (typeof page.totalCount === 'function' ? page.totalCount() : page.totalCount);

/**
 * A Relay connection by keyset: `fetch` gets the cursor bounds and a limit and returns the rows nearest the
 * bound first (reversed when `inverted`, i.e. paging backwards with `last`); the relay plugin does the rest.
 */
export async function cursorPage<T>(
  args: PageArgs,
  options: { toCursor: (node: T) => string; defaultSize?: number; totalCount: number | (() => Promise<number>) },
  fetch: (bounds: { after?: string; before?: string; limit: number; inverted: boolean }) => Promise<T[]> | T[],
): Promise<Page<T>> {
  checkPageSize(args);
  const connection = await resolveCursorConnection(
    { args, toCursor: (node) => options.toCursor(node as T), defaultSize: options.defaultSize ?? DEFAULT_PAGE_SIZE, maxSize: MAX_PAGE_SIZE },
    async (bounds) => (await fetch(bounds)) as unknown[],
  );
  return { ...(connection as unknown as Omit<Page<T>, 'totalCount'>), totalCount: options.totalCount };
}
