import { createClient as createSseClient } from 'graphql-sse';
import { useEffect, useRef } from 'react';
import { type CombinedError, subscriptionExchange, useSubscription } from 'urql';
import { graphql } from './generated/index.ts';
import type { LiveEventFragment } from './generated/graphql.ts';

/** What the dashboard reads of each live event: enough to say who did what. */
export const LiveEventFields = graphql(`
  fragment LiveEvent on ModelEvent {
    __typename
    position
    type
    actor
    modelId
    recordedAt
    ... on ModelCreatedEvent {
      name
    }
    ... on VersionCreatedEvent {
      number
    }
    ... on VersionUpdatedEvent {
      number
    }
    ... on VersionPublishedEvent {
      number
    }
    ... on VersionDeletedEvent {
      number
    }
    ... on FormatUploadedEvent {
      number
      format
      replaced
    }
    ... on FormatDeletedEvent {
      number
      format
    }
    ... on AliasSetEvent {
      number
      alias
      previousNumber
    }
    ... on AliasRemovedEvent {
      number
      alias
    }
    ... on EvaluationRecordedEvent {
      number
    }
  }
`);

const ModelEventsSubscription = graphql(`
  subscription DashboardModelEvents($modelId: ID) {
    modelEvents(modelId: $modelId) {
      ...LiveEvent
    }
  }
`);

export type LiveEvent = LiveEventFragment;

/** "alice published version 3": one event as a sentence (the actor first; "someone" when unknown). */
export function eventSentence(event: LiveEvent, modelName?: string): string {
  const who = event.actor ?? 'someone';
  const v = 'number' in event && typeof event.number === 'number' ? `version ${event.number}` : '';
  const of = modelName ? ` of ${modelName}` : '';
  switch (event.__typename) {
    case 'ModelCreatedEvent':
      return `${who} created the model ${event.name}`;
    case 'ModelUpdatedEvent':
      return `${who} edited ${modelName ?? 'a model'}`;
    case 'ModelDeletedEvent':
      return `${who} deleted ${modelName ?? 'a model'}`;
    case 'VersionCreatedEvent':
      return `${who} created ${v}${of}`;
    case 'VersionUpdatedEvent':
      return `${who} edited ${v}${of}`;
    case 'VersionPublishedEvent':
      return `${who} published ${v}${of}`;
    case 'VersionDeletedEvent':
      return `${who} deleted ${v}${of}`;
    case 'FormatUploadedEvent':
      return `${who} ${event.replaced ? 'replaced' : 'uploaded'} the ${event.format} file of ${v}${of}`;
    case 'FormatDeletedEvent':
      return `${who} deleted the ${event.format} file of ${v}${of}`;
    case 'AliasSetEvent':
      return event.previousNumber != null
        ? `${who} moved ${event.alias} from version ${event.previousNumber} to ${v}${of}`
        : `${who} set ${event.alias} to ${v}${of}`;
    case 'AliasRemovedEvent':
      return `${who} removed ${event.alias} from ${v}${of}`;
    case 'EvaluationRecordedEvent':
      return `${who} recorded an evaluation of ${v}${of}`;
    default:
      return `${who}: ${(event as { type: string }).type}${of}`;
  }
}

/**
 * urql's subscription exchange over GraphQL over SSE (graphql-sse, one connection per subscription), with the
 * same headers as the queries. It retries a lost stream itself; views refetch when it comes back.
 */
export function liveExchange(headers: () => Record<string, string>) {
  const sse = createSseClient({ url: '/graphql', headers, retryAttempts: Infinity, retry: async (retries) => new Promise((r) => setTimeout(r, Math.min(30_000, 1000 * 2 ** retries))) });
  return subscriptionExchange({
    forwardSubscription(request) {
      return {
        subscribe(sink) {
          const dispose = sse.subscribe({ ...request, query: request.query ?? '' }, sink);
          return { unsubscribe: dispose };
        },
      };
    },
  });
}

/**
 * Calls `onEvent` for each new event in this context (or of one model), and `onEnd` when the server ends the
 * stream with an error (NOT_FOUND when the model was deleted, UNAUTHENTICATED when the token went). The
 * handlers may change between renders; the subscription does not restart for them.
 */
export function useLiveEvents(modelId: string | null, onEvent: (event: LiveEvent) => void, onEnd?: (error: CombinedError) => void): void {
  const handlers = useRef({ onEvent, onEnd });
  useEffect(() => {
    handlers.current = { onEvent, onEnd };
  });
  // The reducer sees every event, also several that arrive between two renders.
  const [{ error }] = useSubscription({ query: ModelEventsSubscription, variables: { modelId } }, (_previous: unknown, data: { modelEvents: LiveEvent }) => {
    queueMicrotask(() => handlers.current.onEvent(data.modelEvents));
    return data;
  });
  useEffect(() => {
    if (error) handlers.current.onEnd?.(error);
  }, [error]);
}
