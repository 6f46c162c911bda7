import { createContext, useContext } from 'react';
import { graphql } from './generated/index.ts';
import type { RecordModelQuery } from './generated/graphql.ts';

/** What the record page's frame loads: the model's general section. The record's views load the rest by model id. */
export const RecordModelDocument = graphql(`
  query RecordModel($id: ID, $name: String) {
    formats
    model(id: $id, name: $name) {
      id
      name
      description
      tags
      createdAt
      createdBy
      updatedAt
      versionCount
      latestVersion {
        number
        status
      }
      lastEvent: history(last: 1) {
        edges {
          node {
            actor
            recordedAt
          }
        }
      }
    }
  }
`);

/** The model as the record's frame shows it (the `model` prop of the record's views). */
export type RecordModel = NonNullable<RecordModelQuery['model']>;

export interface RecordState {
  model: RecordModel;
  /** The configured format ids. */
  formats: readonly string[];
  /** Reloads the frame's model (after a change made from a view, or one announced by the live events). */
  refresh: () => void;
  /** Bumps on every change the frame learns of (live events included): views refetch when it changes. */
  revision: number;
}

export const RecordContext = createContext<RecordState | null>(null);

/** The record page's model, its refresh and revision, for the record's views. */
export function useRecord(): RecordState {
  const record = useContext(RecordContext);
  if (!record) throw new Error('useRecord outside a model record');
  return record;
}
