import { lexicographicSortSchema, printSchema } from 'graphql';
import { builder } from './builder.ts';
import './errors.ts';
import './types/model.ts';
import './types/version.ts';
import './types/format.ts';
import './types/release.ts';
import './types/modelEvent.ts';
import './types/modelHistory.ts';
import './types/accessControl.ts';
import './types/auditLog.ts';
import './types/webhooks.ts';

export const schema = builder.toSchema();

/** The schema as committed in schema/schema.graphql (sorted, so the file diffs cleanly). */
export const printedSchema = () => `${printSchema(lexicographicSortSchema(schema))}\n`;
