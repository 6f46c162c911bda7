/**
 * Whether a client's string can be an id at all (streams, principals, tokens, groups are UUIDs), checked
 * before it reaches a query: PostgreSQL refuses a malformed uuid with an error, where the answer is "no such".
 * Here, not in the store, because every layer that takes an id from outside asks it.
 */
export const isUuid = (value: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
