import './record.css';
import { useEffect } from 'react';
import { useSearchParams } from 'react-router';
import { useQuery } from 'urql';
import { graphql } from '../generated/index.ts';
import { useRecord } from '../recordModel.tsx';
import { errorText } from '../routes/ErrorBanner.tsx';
import { Button, EmptyState, Loading, RelativeTime, useDocumentTitle } from '../ui/index.ts';
import { sentence } from './history.ts';

// What a history line says of each event: the envelope and the typed fields its sentence needs.
export const HistoryEventFragment = graphql(`
  fragment RecordHistoryEvent on ModelEvent {
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

export const HistoryDocument = graphql(`
  query RecordHistory($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
    model(id: $id) {
      id
      history(first: $first, after: $after, last: $last, before: $before) {
        totalCount
        pageInfo {
          hasNextPage
          hasPreviousPage
          startCursor
          endCursor
        }
        edges {
          node {
            ...RecordHistoryEvent
          }
        }
      }
    }
  }
`);

export const HISTORY_PAGE = 25;
const CURSOR = /^\d{1,19}$/;

/**
 * The model's history, newest first, a page at a time. The page is in the address (?before= older than an
 * event, ?after= newer than one), so reload and Back show the same events.
 */
export function HistoryView({ modelId }: { modelId: string }) {
  const { model, revision } = useRecord();
  useDocumentTitle(model.name, 'history');
  const [params, setParams] = useSearchParams();
  const before = CURSOR.test(params.get('before') ?? '') ? params.get('before') : null;
  const after = !before && CURSOR.test(params.get('after') ?? '') ? params.get('after') : null;
  const variables = after ? { id: modelId, first: HISTORY_PAGE, after } : { id: modelId, last: HISTORY_PAGE, before };
  const [{ data, error, fetching }, refetch] = useQuery({ query: HistoryDocument, variables, requestPolicy: 'cache-and-network' });
  useEffect(() => {
    if (revision > 0) refetch({ requestPolicy: 'network-only' });
  }, [revision, refetch]);
  const history = data?.model?.history;
  if (!history) return error ? <p role="alert" className="field-error">{errorText(error)}</p> : <Loading label="Loading the history" lines={6} />;
  if (history.totalCount === 0) return <EmptyState title="No history">Nothing has happened to this model yet.</EmptyState>;
  const events = [...history.edges].reverse().map((e) => e.node);
  // Reading forwards (after), "newer" exists when the server says so; backwards, the page's own cursor proves it.
  const newer = after ? history.pageInfo.hasNextPage : before !== null;
  const older = after ? true : history.pageInfo.hasPreviousPage;
  const go = (next: Record<string, string>) => setParams(next);
  return (
    <section aria-labelledby="history-heading" className="history">
      <div className="section-header">
        <h2 id="history-heading">History</h2>
        <span className="muted">{history.totalCount} events, newest first</span>
      </div>
      <ol className="history-list" aria-label="History">
        {events.map((e) => (
          <li key={e.id}>
            <span className="history-sentence">{sentence(e)}</span> <RelativeTime value={e.recordedAt} />
          </li>
        ))}
      </ol>
      <nav className="pager" aria-label="History pages">
        {newer && (
          <>
            <Button size="sm" onClick={() => go({})}>
              Newest
            </Button>
            <Button size="sm" pending={fetching} onClick={() => history.pageInfo.endCursor && go({ after: history.pageInfo.endCursor })}>
              Newer
            </Button>
          </>
        )}
        {older && events.length > 0 && (
          <Button size="sm" pending={fetching} onClick={() => history.pageInfo.startCursor && go({ before: history.pageInfo.startCursor })}>
            Older
          </Button>
        )}
      </nav>
    </section>
  );
}
