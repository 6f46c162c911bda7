import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { NotFoundError, VersionNotPublishedError } from '../../domain/errors.ts';
import { compareVersions, type ComparisonRow } from '../../domain/model/comparison.ts';
import type { AliasRecord, EvaluationRecord, ModelRecord } from '../../store/readModels.ts';
import { builder } from '../builder.ts';
import type { GraphQLContext } from '../context.ts';
import { modelCommandErrors } from '../errors.ts';
import { invalidArgument } from '../pagination.ts';
import { runCommand } from '../runCommand.ts';
import { DatasetRecordRef } from './datasetRecord.ts';
import { loadModel } from './model.ts';
import { loadVersion, ModelRef, type VersionNode, VersionRef, versionsOf } from './refs.ts';
import { DatasetRecordInput } from './version.ts';

// The release path: a version's results on datasets (evaluations), versions side by side (comparison), and
// the names deployments follow (aliases).

export const EvaluationRef = builder.objectRef<EvaluationRecord>('Evaluation').implement({
  description: "A version's results on a dataset, as recorded: metric names to numbers.",
  fields: (t) => ({
    id: t.exposeID('id'),
    dataset: t.field({ type: DatasetRecordRef, resolve: (e) => e.dataset }),
    metrics: t.field({ type: 'JSON', description: 'A JSON object of 1-200 metric names to finite numbers.', resolve: (e) => e.metrics }),
    notes: t.exposeString('notes', { nullable: true }),
    recordedAt: t.expose('recordedAt', { type: 'DateTime' }),
    recordedBy: t.exposeString('recordedBy', { nullable: true }),
  }),
});

/** A version's evaluations in the order recorded; synchronous for a version folded from the log (as-of). */
function evaluationsOf(version: VersionNode, ctx: GraphQLContext): EvaluationRecord[] | Promise<EvaluationRecord[]> {
  return version.evaluationsAsOf ?? ctx.loaders.evaluations.load(version.modelId).then((all) => all.filter((e) => e.number === version.number));
}

builder.objectFields(VersionRef, (t) => ({
  evaluations: t.field({
    type: [EvaluationRef],
    description: "The version's results on datasets, in the order recorded.",
    resolve: (v, _args, ctx) => evaluationsOf(v, ctx),
  }),
  aliases: t.stringList({
    description: "The model's aliases that point at this version, by name.",
    resolve: async (v, _args, ctx) => {
      if (v.aliasNames) return v.aliasNames;
      const model = await loadModel(ctx, v.modelId);
      return (model?.aliases ?? []).filter((a) => a.number === v.number).map((a) => a.name);
    },
  }),
}));

/** An alias with the model it belongs to, for its `version`. */
type AliasNode = AliasRecord & { model: ModelRecord };

const AliasRef = builder.objectRef<AliasNode>('Alias').implement({
  description: 'A name that points at a published version of the model (`production`, `champion`): what a deployment follows.',
  fields: (t) => ({
    name: t.exposeString('name'),
    version: t.field({
      type: VersionRef,
      resolve: async (a, _args, ctx) => {
        const version = (await versionsOf(a.model, ctx)).find((v) => v.number === a.number);
        // An alias points only at a live version (deleting it is refused while the alias is there).
        if (!version) throw new Error(`alias ${a.name} of a version that is not there`);
        return version;
      },
    }),
    setAt: t.expose('setAt', { type: 'DateTime', description: 'When it was last set (created or moved).' }),
    setBy: t.exposeString('setBy', { nullable: true }),
  }),
});

const aliasNodes = (model: ModelRecord): AliasNode[] => model.aliases.map((a) => ({ ...a, model }));

const ComparisonSectionEnum = builder.enumType('ComparisonSection', { values: ['HYPERPARAMETERS', 'CONFIG', 'METRICS'] as const });

const ComparisonRowRef = builder.objectRef<ComparisonRow>('ComparisonRow').implement({
  description: 'One key across the compared versions.',
  fields: (t) => ({
    section: t.field({ type: ComparisonSectionEnum, resolve: (r) => r.section }),
    key: t.exposeString('key', { description: 'A dotted path for nested settings (`optimizer.beta`); the metric name for METRICS.' }),
    dataset: t.exposeString('dataset', { nullable: true, description: "The dataset's URI, for a METRICS row." }),
    values: t.field({
      type: ['JSON'],
      nullable: { list: false, items: true },
      description: 'One per version, in the order of `versions`; null where a version lacks the key.',
      resolve: (r) => r.values,
    }),
    differs: t.exposeBoolean('differs', { description: 'Whether the values are not all the same.' }),
  }),
});

const VersionComparisonRef = builder.objectRef<{ versions: VersionNode[]; rows: ComparisonRow[] }>('VersionComparison').implement({
  description: 'Versions side by side: hyperparameters, then config, then metrics of the latest evaluation of each version on each dataset.',
  fields: (t) => ({
    versions: t.field({ type: [VersionRef], resolve: (c) => c.versions }),
    rows: t.field({ type: [ComparisonRowRef], resolve: (c) => c.rows }),
  }),
});

export const COMPARED_MIN = 2;
export const COMPARED_MAX = 10;

builder.objectFields(ModelRef, (t) => ({
  aliases: t.field({ type: [AliasRef], description: "The model's aliases, by name.", resolve: (m) => aliasNodes(m) }),
  comparison: t.field({
    type: VersionComparisonRef,
    description: `${COMPARED_MIN}-${COMPARED_MAX} live versions side by side, in the order asked.`,
    args: { numbers: t.arg.intList({ required: true }) },
    resolve: async (model, { numbers }, ctx) => {
      if (numbers.length < COMPARED_MIN || numbers.length > COMPARED_MAX) {
        throw invalidArgument(`\`numbers\` takes ${COMPARED_MIN} to ${COMPARED_MAX} version numbers, not ${numbers.length}`, 'numbers');
      }
      if (new Set(numbers).size !== numbers.length) throw invalidArgument('`numbers` names a version more than once', 'numbers');
      const all = await versionsOf(model, ctx);
      const versions = numbers.map((n) => {
        const v = all.find((x) => x.number === n);
        if (!v) throw new GraphQLError(`Model "${model.name}" has no version ${n}`, { extensions: { code: 'NOT_FOUND', number: n } });
        return v;
      });
      const evaluations = await Promise.all(versions.map((v) => evaluationsOf(v, ctx)));
      return { versions, rows: compareVersions(versions.map((v, i) => ({ ...v, evaluations: evaluations[i]! }))) };
    },
  }),
}));

const RecordEvaluationInput = builder.inputType('RecordEvaluationInput', {
  fields: (t) => ({
    modelId: t.id({ required: true }),
    number: t.int({ required: true }),
    dataset: t.field({ type: DatasetRecordInput, required: true, description: 'The dataset the results are on.' }),
    metrics: t.field({ type: 'JSON', required: true, description: 'A JSON object of 1-200 metric names (1-64 characters) to finite numbers.' }),
    notes: t.string({ description: 'Plain text or markdown, at most 10 KB.' }),
  }),
});

const RecordEvaluationSuccess = builder.objectRef<{ evaluation: EvaluationRecord; version: VersionNode }>('RecordEvaluationSuccess').implement({
  fields: (t) => ({
    evaluation: t.field({ type: EvaluationRef, resolve: (r) => r.evaluation }),
    version: t.field({ type: VersionRef, resolve: (r) => r.version }),
  }),
});

const SetAliasInput = builder.inputType('SetAliasInput', {
  fields: (t) => ({
    modelId: t.id({ required: true }),
    alias: t.string({ required: true, description: '1-32 characters: a lower-case letter, then lower-case letters, digits, _ or -.' }),
    number: t.int({ required: true, description: 'A published version.' }),
  }),
});

const SetAliasSuccess = builder.objectRef<{ model: ModelRecord; alias: AliasNode }>('SetAliasSuccess').implement({
  fields: (t) => ({
    model: t.field({ type: ModelRef, resolve: (r) => r.model }),
    alias: t.field({ type: AliasRef, resolve: (r) => r.alias }),
  }),
});

async function modelNow(ctx: GraphQLContext, id: string): Promise<ModelRecord> {
  const model = await loadModel(ctx, id);
  if (!model) throw new NotFoundError('No such model');
  return model;
}

builder.mutationFields((t) => ({
  recordEvaluation: t.field({
    authScopes: { permission: 'evaluation:record' },
    type: RecordEvaluationSuccess,
    description: "Records a version's results on a dataset. Draft or published alike: the version itself does not change.",
    args: { input: t.arg({ type: RecordEvaluationInput, required: true }) },
    errors: { types: modelCommandErrors, directResult: true },
    resolve: async (_root, { input: { modelId, number, dataset, metrics, notes } }, ctx) => {
      const result = await runCommand(ctx, String(modelId), { type: 'RecordEvaluation', data: { evaluationId: randomUUID(), number, dataset, metrics, notes } });
      // A repeat under an idempotency key names the evaluation its first run recorded.
      const recorded = result.events.find((e) => e.type === 'EvaluationRecorded');
      const version = await loadVersion(ctx, String(modelId), number);
      const evaluation = recorded && (await evaluationsOf(version, ctx)).find((e) => e.id === (recorded.data as { evaluationId: string }).evaluationId);
      if (!evaluation) throw new NotFoundError(`Version ${number} is no longer there`);
      return { evaluation, version };
    },
  }),
  setAlias: t.field({
    authScopes: { permission: 'alias:set' },
    type: SetAliasSuccess,
    description: 'Points an alias at a published version: creates it, or moves it from the version it pointed at. Setting it where it already points records nothing.',
    args: { input: t.arg({ type: SetAliasInput, required: true }) },
    errors: { types: [...modelCommandErrors, VersionNotPublishedError], directResult: true },
    resolve: async (_root, { input: { modelId, alias, number } }, ctx) => {
      const result = await runCommand(ctx, String(modelId), { type: 'SetAlias', data: { alias, number } });
      const model = await modelNow(ctx, String(modelId));
      // As the command left it (a repeat: as its first run left it), though another may have moved it since.
      const set = result.state.status === 'live' ? result.state.aliases.find((a) => a.name === alias) : undefined;
      if (!set) throw new NotFoundError(`The model no longer has an alias "${alias}"`);
      return { model, alias: { ...set, model } };
    },
  }),
  removeAlias: t.field({
    authScopes: { permission: 'alias:set' },
    type: ModelRef,
    description: 'Removes an alias; the version it pointed at stays.',
    args: { modelId: t.arg.id({ required: true }), alias: t.arg.string({ required: true }) },
    errors: { types: modelCommandErrors, dataField: { name: 'model' } },
    resolve: async (_root, { modelId, alias }, ctx) => {
      await runCommand(ctx, String(modelId), { type: 'RemoveAlias', data: { alias } });
      return modelNow(ctx, String(modelId));
    },
  }),
}));
