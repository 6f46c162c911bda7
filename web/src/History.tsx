import { bytes } from './bytes.ts';
import { graphql } from './generated/index.ts';
import type { DashboardHistoryEventFragment } from './generated/graphql.ts';

// What the history list shows of each event: the envelope, and the few typed fields that say what it did.
export const HistoryEventParts = graphql(`
  fragment DashboardHistoryEvent on ModelEvent {
    __typename
    id
    type
    actor
    recordedAt
    ... on ModelCreatedEvent {
      name
    }
    ... on ModelUpdatedEvent {
      changed
    }
    ... on VersionCreatedEvent {
      number
    }
    ... on VersionUpdatedEvent {
      number
      changed
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
      size
      replaced
    }
    ... on FormatDeletedEvent {
      number
      format
    }
    ... on EvaluationRecordedEvent {
      number
      dataset {
        uri
        name
      }
    }
    ... on AliasSetEvent {
      alias
      number
      previousNumber
    }
    ... on AliasRemovedEvent {
      alias
      number
    }
  }
`);

/** What an event did, in a few words; empty for one that needs none (or of a type this page does not know). */
function summary(e: DashboardHistoryEventFragment): string {
  switch (e.__typename) {
    case 'ModelCreatedEvent':
      return `as ${e.name}`;
    case 'ModelUpdatedEvent':
      return e.changed.join(', ');
    case 'VersionCreatedEvent':
    case 'VersionPublishedEvent':
    case 'VersionDeletedEvent':
      return `version ${e.number}`;
    case 'VersionUpdatedEvent':
      return `version ${e.number}: ${e.changed.join(', ')}`;
    case 'FormatUploadedEvent':
      return `version ${e.number}, ${e.format} (${bytes(e.size)})${e.replaced ? ', replacing the one before' : ''}`;
    case 'FormatDeletedEvent':
      return `version ${e.number}, ${e.format}`;
    case 'EvaluationRecordedEvent':
      return `version ${e.number} on ${e.dataset.name ?? e.dataset.uri}`;
    case 'AliasSetEvent':
      return `${e.alias} to version ${e.number}${e.previousNumber === null ? '' : ` (from ${e.previousNumber})`}`;
    case 'AliasRemovedEvent':
      return `${e.alias} (was version ${e.number})`;
    default:
      return '';
  }
}

/** The History tab: a model's events, oldest first. */
export function History({ events }: { events: DashboardHistoryEventFragment[] }) {
  return (
    <ol className="history" aria-label="History">
      {events.map((e) => {
        const said = summary(e);
        return (
          <li key={e.id}>
            {new Date(e.recordedAt).toLocaleString()} · {e.actor ?? '-'} · {e.type}
            {said && ` · ${said}`}
          </li>
        );
      })}
    </ol>
  );
}
