import { randomUUID } from 'node:crypto';

/** The caller's X-Request-Id when it is a plausible id, else a new one. */
export const requestIdFrom = (header: string | null | undefined) => (header && /^[\w.:-]{1,128}$/.test(header) ? header : randomUUID());
