// A model's events as sentences: "alice published version 3", "bob moved alias production from 2 to 3".
import { bytes } from '../bytes.ts';
import type { RecordHistoryEventFragment } from '../generated/graphql.ts';

const FIELD_WORDS: Record<string, string> = { hyperparameters: 'hyperparameters', config: 'config', description: 'description', tags: 'tags', records: 'dataset records', name: 'name' };

/** ["description", "tags"] → "the description and tags" */
function fields(changed: readonly string[]): string {
  const words = changed.map((c) => FIELD_WORDS[c] ?? c);
  if (words.length === 0) return 'nothing';
  const list = words.length === 1 ? words[0]! : `${words.slice(0, -1).join(', ')} and ${words.at(-1)!}`;
  return `the ${list}`;
}

/** What an event did, its actor first; an event of a type this dashboard does not know still says who and what. */
export function sentence(e: RecordHistoryEventFragment): string {
  const who = e.actor ?? 'Someone';
  switch (e.__typename) {
    case 'ModelCreatedEvent':
      return `${who} created the model as ${e.name}`;
    case 'ModelUpdatedEvent':
      return `${who} changed ${fields(e.changed)} of the model`;
    case 'ModelDeletedEvent':
      return `${who} deleted the model`;
    case 'VersionCreatedEvent':
      return `${who} created version ${e.number}`;
    case 'VersionUpdatedEvent':
      return `${who} changed ${fields(e.changed)} of version ${e.number}`;
    case 'VersionPublishedEvent':
      return `${who} published version ${e.number}`;
    case 'VersionDeletedEvent':
      return `${who} deleted version ${e.number}`;
    case 'FormatUploadedEvent':
      return `${who} ${e.replaced ? 'replaced' : 'uploaded'} the ${e.format} file of version ${e.number} (${bytes(e.size)})`;
    case 'FormatDeletedEvent':
      return `${who} deleted the ${e.format} file of version ${e.number}`;
    case 'EvaluationRecordedEvent':
      return `${who} recorded an evaluation of version ${e.number} on ${e.dataset.name ? `${e.dataset.name} (${e.dataset.uri})` : e.dataset.uri}`;
    case 'AliasSetEvent':
      return e.previousNumber === null || e.previousNumber === undefined
        ? `${who} set alias ${e.alias} to version ${e.number}`
        : `${who} moved alias ${e.alias} from ${e.previousNumber} to ${e.number}`;
    case 'AliasRemovedEvent':
      return `${who} removed alias ${e.alias} (it pointed at version ${e.number})`;
    default: {
      // An event type newer than this dashboard: said by its name.
      const unknown: { type: string } = e;
      return `${who}: ${unknown.type}`;
    }
  }
}
