import type { DatasetRecord } from '../../domain/rules.ts';
import { builder } from '../builder.ts';

// Its own file because both Version and the events that set a version's records (in modelEvent.ts) use it.
export const DatasetRecordRef = builder.objectRef<DatasetRecord>('DatasetRecord').implement({
  description: 'A training dataset the version was made from.',
  fields: (t) => ({ uri: t.exposeString('uri'), name: t.exposeString('name', { nullable: true }) }),
});
