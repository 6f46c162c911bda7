import { createHash, randomUUID } from 'node:crypto';
import { type DocumentNode, type ExecutionResult, getOperationAST, GraphQLError, Kind, visit } from 'graphql';
import type { Plugin, YogaInitialContext } from 'graphql-yoga';
import type { Logger } from '../logger.ts';
import type { Db } from '../store/database.ts';
import { claimKey, type KeyScope, releaseKey, storeResponse } from '../store/idempotency.ts';
import type { GraphQLContext } from './context.ts';

/**
 * Idempotency keys for mutations. A mutation sent with `Idempotency-Key` (any string of 1-200 characters)
 * is run once per key: a repeat of the same request with the same key within 24 hours gets the first answer
 * again without running; the same key with a different request is refused (VALIDATION); a repeat while the
 * first still runs is refused (CONFLICT, retryable). Keys belong to the principal and context that sent
 * them. Queries and subscriptions ignore the header.
 *
 * Only answers without top-level errors are kept: a request that was refused before running, failed
 * unexpectedly, or whose outcome is unknown (a connection lost during COMMIT) runs again on a repeat, and
 * the commands that did commit under the key are found then instead of being run twice (see handleCommand).
 * An answer that holds a secret (a new token's) is never kept: a repeat is refused with SECRET_NOT_KEPT.
 */
export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const MAX_KEY_LENGTH = 200;

/** Pauses between tries to settle a key while the database is away: about a minute in all. */
const SETTLE_RETRY_MS = [250, 500, 1000, 2000, 4000, 8000, 15_000, 30_000];

/**
 * Ends a key's claim (its answer kept, or released). When the database is away (the very fault that left an
 * outcome unknown), the claim would keep every repeat out as CONFLICT for its whole lease: the client's
 * repeats, which are what resolves the unknown outcome, would all fail. So it is tried again in the
 * background until the database is back (a dead process's claims still end with their lease). The client
 * has its answer meanwhile.
 */
async function settleKey(settle: () => Promise<void>, logger: Logger): Promise<void> {
  try {
    await settle();
    return;
  } catch (error) {
    logger.warn({ err: (error as Error).message }, 'could not settle an idempotency key yet; trying again in the background');
  }
  void (async () => {
    for (const ms of SETTLE_RETRY_MS) {
      await new Promise((resolve) => setTimeout(resolve, ms).unref());
      try {
        await settle();
        return;
      } catch {
        // still away: wait longer
      }
    }
    logger.warn('gave up settling an idempotency key: its claim ends with its lease');
  })();
}

/** Stored instead of an answer that held a secret. */
const SECRET_WITHHELD = '{"secretWithheld":true}';

function refusal(code: string, message: string, status: number, extra: Record<string, unknown> = {}): ExecutionResult {
  return { errors: [new GraphQLError(message, { extensions: { code, ...extra, http: { status } } })] };
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a key is refused, or null: 1-200 characters, no NUL, no lone UTF-16 surrogate. */
export function keyProblem(key: string): string | null {
  if (LONE_SURROGATE.test(key)) return 'Idempotency-Key holds a lone UTF-16 surrogate';
  if (key.includes('\0')) return 'Idempotency-Key holds a NUL character';
  const length = [...key].length;
  if (length < 1 || length > MAX_KEY_LENGTH) return `Idempotency-Key is 1-${MAX_KEY_LENGTH} characters`;
  return null;
}

/**
 * sha256 of the request as sent: query, operation name and variables, with object keys sorted. A file of
 * an upload is not part of it (its declared sha256, a variable, is).
 */
export function requestFingerprint(query: string, operationName: string | null | undefined, variables: unknown): string {
  const text = JSON.stringify([query, operationName ?? null, variables ?? null], (_key, value: unknown) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return '[file]';
    return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  });
  return createHash('sha256').update(text).digest('hex');
}

/** Whether the operation asks for a field named `secret` (a new token's), under any alias or fragment. */
function selectsSecret(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    [Kind.FIELD](node) {
      if (node.name.value === 'secret') found = true;
    },
  });
  return found;
}

type Context = GraphQLContext & YogaInitialContext;

export function useIdempotencyKeys(db: Db, logger: Logger): Plugin<Context> {
  return {
    async onExecute({ args, extendContext, setResultAndStopExecution }) {
      if (getOperationAST(args.document, args.operationName)?.operation !== 'mutation') return;
      const ctx = args.contextValue as Context;
      const key = ctx.request.headers.get(IDEMPOTENCY_HEADER);
      if (key === null) return;
      const problem = keyProblem(key);
      if (problem) return setResultAndStopExecution(refusal('VALIDATION', problem, 400, { field: 'Idempotency-Key' }));
      let fingerprint: string;
      try {
        fingerprint = requestFingerprint(ctx.params.query ?? '', ctx.params.operationName, ctx.params.variables);
      } catch {
        // JSON too deep to serialise: no request like that can be told apart from another.
        return setResultAndStopExecution(refusal('VALIDATION', 'The variables are nested too deeply', 400, { field: 'variables' }));
      }
      const scope: KeyScope = { principalId: ctx.identity.principal.id, contextId: ctx.contextId, key };
      // Each request claims under an id of its own, so that only it ends its claim.
      const owner = randomUUID();
      let claim: Awaited<ReturnType<typeof claimKey>>;
      try {
        claim = await claimKey(db, scope, fingerprint, owner);
      } catch (error) {
        // The claim may have been written though its reply was lost (the database went away): end it once the
        // database is back, or a repeat would be refused as CONFLICT until the lease runs out.
        await settleKey(() => releaseKey(db, scope, owner), logger);
        throw error;
      }
      switch (claim.kind) {
        case 'mismatch':
          return setResultAndStopExecution(
            refusal('VALIDATION', 'This Idempotency-Key was used for a different request; use a new key for each request', 422, { field: 'Idempotency-Key' }),
          );
        case 'running':
          return setResultAndStopExecution(
            refusal('CONFLICT', 'A request with this Idempotency-Key is still running; wait for it, then repeat', 409, { retryable: true }),
          );
        case 'replay': {
          if (claim.response === SECRET_WITHHELD) {
            return setResultAndStopExecution(
              refusal(
                'SECRET_NOT_KEPT',
                'This request was done once and its answer held a secret, which is never stored: it cannot be given again. ' +
                  'List the tokens or webhooks to find the one it created (revoke the token, or delete the webhook, if the secret is lost), or create another with a new key.',
                409,
                { retryable: false },
              ),
            );
          }
          return setResultAndStopExecution(JSON.parse(claim.response) as ExecutionResult);
        }
        case 'run':
          break;
        default:
          claim satisfies never;
      }
      extendContext({ idempotency: { scope, commandsRun: 0 } });
      const withholds = selectsSecret(args.document);
      return {
        async onExecuteDone({ result }) {
          const single = Symbol.asyncIterator in result ? null : result;
          const settle =
            !single || single.errors?.length
              ? () => releaseKey(db, scope, owner)
              : () => storeResponse(db, scope, withholds ? SECRET_WITHHELD : JSON.stringify({ data: single.data }));
          await settleKey(settle, logger);
        },
      };
    },
  };
}
