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

/** A refused argument; `field` names it when one argument is at fault. */
export function invalidArgument(message: string, field?: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'VALIDATION', ...(field !== undefined && { field }) } });
}

/** Refuses page sizes outside 0..100 in words, rather than quietly returning fewer items than asked. */
export function checkPageSize(args: PageArgs): void {
  for (const key of ['first', 'last'] as const) {
    const n = args[key];
    if (n != null && (n < 0 || n > MAX_PAGE_SIZE)) throw invalidArgument(`\`${key}\` must be between 0 and ${MAX_PAGE_SIZE}`, key);
  }
}

/** Opaque cursors: base64url of a small JSON value. */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** Longer than any cursor this server gives out. */
const CURSOR_MAX = 2048;

const notOurs = (field: string) => invalidArgument(`\`${field}\` is not a cursor this list gave out`, field);

/**
 * A cursor as this list gave it out, or a VALIDATION error naming the argument: a forged, garbled, truncated
 * or another list's cursor never reaches a query. `isValid` checks every part a query will use.
 */
export function decodeCursor<T>(cursor: string, isValid: (value: unknown) => value is T, field = 'after'): T {
  // Buffer.from skips characters that are not base64url; a cursor with any is not one of ours.
  if (cursor.length > CURSOR_MAX || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw notOurs(field);
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (isValid(value)) return value;
  } catch {
    // falls through to the error below
  }
  throw notOurs(field);
}

/** A cursor that is a whole number from 1 (a version number), or a VALIDATION error naming the argument. */
export function decodeNumberCursor(cursor: string, field = 'after'): number {
  if (!/^[1-9][0-9]{0,14}$/.test(cursor)) throw notOurs(field);
  return Number(cursor);
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

/** The largest position the log can hold (positions are int8). */
const MAX_POSITION = 9223372036854775807n;

/** A position as a client may send one: a whole number within int8 (1..9223372036854775807), in plain digits. */
export const isPosition = (s: string) => /^[0-9]{1,19}$/.test(s) && BigInt(s) >= 1n && BigInt(s) <= MAX_POSITION;

/**
 * `after: "0"`: from the beginning, before the first event (positions start at 1). Only this spelling:
 * "00", " 0" or "-0" are refused like any other cursor that is not a position.
 */
export const FROM_THE_BEGINNING = '0';

/** The page arguments of a list of events, whose cursors are positions: checked, `after: "0"` read as no cursor. */
export function positionPageArgs(pageArgs: PageArgs): PageArgs {
  const args = pageArgs.after === FROM_THE_BEGINNING ? { ...pageArgs, after: undefined } : pageArgs;
  for (const field of ['after', 'before'] as const) {
    const c = args[field];
    if (c != null && !isPosition(c)) throw invalidArgument('The cursor is not one this list gave out', field);
  }
  return args;
}
