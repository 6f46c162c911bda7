import { useCallback, useRef, useState } from 'react';
import { type AnyVariables, type CombinedError, type DocumentInput, makeOperation, mapExchange, type OperationResult, useClient } from 'urql';

/** The operation-context field the idempotency exchange turns into the `Idempotency-Key` header. */
const KEY_FIELD = 'idempotencyKey';

/** A fresh key per user action: crypto.randomUUID where the page is a secure context, random bytes otherwise. */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * An urql exchange (put it before fetchExchange) that sends `Idempotency-Key: <context.idempotencyKey>` with
 * operations carrying one, on top of whatever fetchOptions (the Authorization header) they already have.
 */
export const idempotencyExchange = mapExchange({
  onOperation(operation) {
    const key = operation.context[KEY_FIELD] as string | undefined;
    if (!key) return operation;
    const base = operation.context.fetchOptions;
    return makeOperation(operation.kind, operation, {
      ...operation.context,
      fetchOptions: () => {
        const options = (typeof base === 'function' ? base() : base) ?? {};
        return { ...options, headers: { ...(options.headers as Record<string, string> | undefined), 'idempotency-key': key } };
      },
    });
  },
});

/** Whether a mutation's outcome is unknown (no answer came back), so that sending it again with the same key is the safe retry. */
export const outcomeUnknown = (error: CombinedError | undefined): boolean => !!error?.networkError || (!!error && error.graphQLErrors.some((e) => e.extensions?.code === 'OUTCOME_UNKNOWN' || e.extensions?.code === 'CONFLICT'));

export interface MutationWithKey<Data, Variables extends AnyVariables> {
  /** Runs the mutation for one user action; while one runs, another call returns the same promise (no double submit). */
  mutate: (variables: Variables) => Promise<OperationResult<Data, Variables>>;
  /** Sends the last action again with its key (after a lost connection): the server runs it at most once. */
  retry: () => Promise<OperationResult<Data, Variables>> | null;
  /** True while a request is in flight: give it to the submit button's `pending`. */
  pending: boolean;
  /** The last answer, error included (network errors as error.networkError). */
  result: OperationResult<Data, Variables> | null;
}

/**
 * useMutation with an `Idempotency-Key` per user action: `mutate(variables)` takes a new key (crypto.randomUUID),
 * except that repeating the same variables after an attempt whose outcome is unknown (no answer, or the server's
 * OUTCOME_UNKNOWN/CONFLICT) reuses that attempt's key, so a second press of Submit after a lost connection
 * cannot create a second version. A call while one is in flight gets the running one's promise.
 */
export function useMutationWithKey<Data, Variables extends AnyVariables>(document: DocumentInput<Data, Variables>): MutationWithKey<Data, Variables> {
  const client = useClient();
  const [pending, setPending] = useState(false);
  const [result, setResult] = useState<OperationResult<Data, Variables> | null>(null);
  const inFlight = useRef<Promise<OperationResult<Data, Variables>> | null>(null);
  const last = useRef<{ key: string; variables: Variables; json: string; unknown: boolean } | null>(null);

  const send = useCallback(
    (variables: Variables, key: string, json: string) => {
      last.current = { key, variables, json, unknown: true };
      setPending(true);
      const run = client
        .mutation(document, variables, { [KEY_FIELD]: key, requestPolicy: 'network-only' })
        .toPromise()
        .then((answer) => {
          last.current = { key, variables, json, unknown: outcomeUnknown(answer.error) };
          setResult(answer);
          return answer;
        })
        .finally(() => {
          inFlight.current = null;
          setPending(false);
        });
      inFlight.current = run;
      return run;
    },
    [client, document],
  );

  const mutate = useCallback(
    (variables: Variables) => {
      if (inFlight.current) return inFlight.current;
      const json = JSON.stringify(variables);
      const previous = last.current;
      const key = previous && previous.unknown && previous.json === json ? previous.key : newIdempotencyKey();
      return send(variables, key, json);
    },
    [send],
  );

  const retry = useCallback(() => {
    if (inFlight.current) return inFlight.current;
    const previous = last.current;
    return previous ? send(previous.variables, previous.key, previous.json) : null;
  }, [send]);

  return { mutate, retry, pending, result };
}
