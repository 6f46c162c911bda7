import { randomUUID } from 'node:crypto';

/**
 * What a caller's X-Request-Id may be: it is echoed in a response header, written to every log line and
 * stored in the metadata of events, so nothing that could break a header, a log line or a terminal
 * (control characters, non-ASCII, separators) and nothing long.
 */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** The caller's X-Request-Id when it is a safe id, else a new one. */
export const requestIdFrom = (header: string | null | undefined) => (header && SAFE_REQUEST_ID.test(header) ? header : randomUUID());
