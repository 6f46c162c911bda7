/**
 * Closes a switch over a union: a new member fails to compile until every switch says what it does with it.
 * At run time (a value from outside the types) it names only the member's type: an event's payload or private
 * data (a token's hash) never reaches an error message.
 */
export function assertNever(x: never, what = 'event'): never {
  const type = typeof x === 'object' && x !== null && 'type' in x ? String((x as { type: unknown }).type) : typeof x;
  throw new Error(`Unhandled ${what} of type ${type}`);
}
