import { NotFoundError } from '../../domain/errors.ts';
import type { EvaluationRecord, FormatRecord, ModelRecord, VersionRecord } from '../../store/readModels.ts';
import { builder } from '../builder.ts';
import type { GraphQLContext } from '../context.ts';

// Model, Version and Format refer to one another: a model's versions, a version's model and formats, an
// upload's version. Their refs and the reads their resolvers share are declared here and implemented in
// each type's file, which imports this one rather than the others: no import cycle, and Pothos resolves
// the refs when schema.ts builds the schema.

export const ModelRef = builder.objectRef<ModelRecord>('Model');

/**
 * A version as served: from the read models, or folded from the log; with its files when they were read with
 * it (an as-of fold, or the read cache), and its evaluations and alias names when it was folded (as-of).
 */
export type VersionNode = VersionRecord & { formatsAsOf?: FormatRecord[]; evaluationsAsOf?: EvaluationRecord[]; aliasNames?: string[] };

export const VersionRef = builder.objectRef<VersionNode>('Version');
export const VersionStatusEnum = builder.enumType('VersionStatus', { values: ['DRAFT', 'PUBLISHED'] as const });

export const FormatRef = builder.objectRef<FormatRecord>('Format');

/** A model's live versions by number (through the per-request loader, or from an as-of fold). */
export async function versionsOf(model: ModelRecord, ctx: GraphQLContext): Promise<VersionNode[]> {
  if (model.asOf) {
    const { versions, formats, evaluations } = model.asOf;
    return versions.map((v) => ({
      ...v,
      formatsAsOf: formats.filter((f) => f.number === v.number),
      evaluationsAsOf: evaluations.filter((e) => e.number === v.number),
      aliasNames: model.aliases.filter((a) => a.number === v.number).map((a) => a.name),
    }));
  }
  const versions = await ctx.loaders.versions.load(model.id);
  // Their files too, when the read cache has them: each version's `formats` then resolves without a promise.
  const formats = ctx.loaders.peekFormats(model.id);
  return formats ? versions.map((v) => ({ ...v, formatsAsOf: formats.get(v.number) ?? [] })) : versions;
}

/** A version just written, read back through the request's (refreshed) loaders. */
export async function loadVersion(ctx: GraphQLContext, modelId: string, number: number): Promise<VersionNode> {
  const version = (await ctx.loaders.versions.load(modelId.toLowerCase())).find((v) => v.number === number);
  if (!version) throw new NotFoundError(`No version ${number}`);
  return version;
}
