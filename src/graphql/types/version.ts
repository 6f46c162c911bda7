import { ForbiddenError, NotFoundError, VersionAliasedError, VersionLimitError, VersionPublishedError } from '../../domain/errors.ts';
import { abandonFiles, commitFilesInTransaction, receiveFiles } from '../../files/uploads.ts';
import type { FormatRecord } from '../../store/readModels.ts';
import { builder } from '../builder.ts';
import type { GraphQLContext } from '../context.ts';
import { modelCommandErrors } from '../errors.ts';
import { precheckCommand, runCommand } from '../runCommand.ts';
import { DatasetRecordRef } from './datasetRecord.ts';
import { fileErrors, FormatUploadInput, PENDING_FILE } from './format.ts';
import { loadModel } from './model.ts';
import { FormatRef, loadVersion, ModelRef, type VersionNode, VersionRef, VersionStatusEnum } from './refs.ts';

/** Synchronous when the files came with the version: a page of 500 versions then makes no promise per version. */
function formatsOf(version: VersionNode, ctx: GraphQLContext): FormatRecord[] | Promise<FormatRecord[]> {
  return version.formatsAsOf ?? ctx.loaders.formats.load(version.modelId).then((all) => all.filter((f) => f.number === version.number));
}

VersionRef.implement({
  description: 'A numbered version of a model: its settings and its files, one per format.',
  fields: (t) => ({
    model: t.field({
      type: ModelRef,
      resolve: async (v, _args, ctx) => {
        const model = await loadModel(ctx, v.modelId);
        if (!model) throw new Error(`version ${v.number} of a model that is not there`);
        return model;
      },
    }),
    number: t.exposeInt('number'),
    status: t.field({ type: VersionStatusEnum, resolve: (v) => v.status }),
    description: t.exposeString('description', { nullable: true }),
    tags: t.exposeStringList('tags'),
    hyperparameters: t.expose('hyperparameters', { type: 'JSON' }),
    config: t.expose('config', { type: 'JSON', description: 'Read by the deployment container.' }),
    records: t.field({ type: [DatasetRecordRef], resolve: (v) => v.records }),
    formats: t.field({ type: [FormatRef], resolve: (v, _args, ctx) => formatsOf(v, ctx) }),
    format: t.field({
      type: FormatRef,
      nullable: true,
      args: { id: t.arg.string({ required: true }) },
      resolve: async (v, { id }, ctx) => (await formatsOf(v, ctx)).find((f) => f.format === id) ?? null,
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    createdBy: t.exposeString('createdBy', { nullable: true }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    publishedAt: t.expose('publishedAt', { type: 'DateTime', nullable: true }),
    publishedBy: t.exposeString('publishedBy', { nullable: true }),
  }),
});

export const DatasetRecordInput = builder.inputType('DatasetRecordInput', {
  fields: (t) => ({
    uri: t.string({ required: true, description: 'scheme:rest, e.g. s3://bucket/train.csv or dataset:42' }),
    name: t.string(),
  }),
});

type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;

const versionSettings = (t: PothosSchemaTypes.InputFieldBuilder<Types, 'InputObject'>) => ({
  description: t.string({ description: 'Plain text or markdown, at most 100 KB.' }),
  tags: t.stringList(),
  hyperparameters: t.field({ type: 'JSON', description: 'A JSON object, at most 1 MB.' }),
  config: t.field({ type: 'JSON', description: 'A JSON object, at most 1 MB, read by the deployment container.' }),
  records: t.field({ type: [DatasetRecordInput], description: 'The training datasets.' }),
});

const CreateVersionInput = builder.inputType('CreateVersionInput', {
  fields: (t) => ({
    modelId: t.id({ required: true }),
    ...versionSettings(t),
    formats: t.field({
      type: [FormatUploadInput],
      description: 'Files to store with the version, one per format (a GraphQL multipart request). All or nothing.',
    }),
  }),
});

const UpdateVersionInput = builder.inputType('UpdateVersionInput', {
  fields: (t) => ({ modelId: t.id({ required: true }), number: t.int({ required: true }), ...versionSettings(t) }),
});

builder.mutationFields((t) => ({
  createVersion: t.field({
    authScopes: { permission: 'version:create' },
    type: VersionRef,
    description: "Creates the model's next version: one more than the highest number it ever had.",
    args: { input: t.arg({ type: CreateVersionInput, required: true }) },
    errors: { types: [...modelCommandErrors, VersionLimitError, ...fileErrors], dataField: { name: 'version' } },
    resolve: async (_root, { input: { modelId, formats, ...settings } }, ctx) => {
      const id = String(modelId);
      const uploads = formats ?? [];
      if (uploads.length > 0 && !ctx.identity.permissions.has('format:upload')) throw new ForbiddenError('Your roles here do not allow uploading files');
      // Refused before any file is read: a missing model, the version limit, an unknown format ...
      const known =
        uploads.length > 0
          ? await precheckCommand(ctx, id, { type: 'CreateVersion', data: { ...settings, formats: uploads.map((f) => ({ format: f.format, ...PENDING_FILE })) } })
          : undefined;
      const files = await receiveFiles(ctx.blobs, uploads, ctx.config.limits.maxUploadBytes);
      let result;
      try {
        result = await runCommand(
          ctx,
          id,
          {
            type: 'CreateVersion',
            data: {
              ...settings,
              formats: files.map((f) => ({ format: f.format, sha256: f.blob.sha256, size: f.blob.size, contentType: f.contentType, filename: f.filename })),
            },
          },
          // Files are committed in the command's transaction; a version without files needs none.
          files.length > 0 ? { beforeAppend: commitFilesInTransaction(files), known } : {},
        );
      } catch (error) {
        // The command's own error is the answer (OUTCOME_UNKNOWN must not become "unavailable"); gc collects leftovers.
        await abandonFiles(ctx.db, ctx.blobs, files).catch(() => {});
        throw error;
      }
      const number = result.state.status === 'live' ? result.state.highestNumber : 0;
      return loadVersion(ctx, id, number);
    },
  }),
  updateVersion: t.field({
    authScopes: { permission: 'version:update' },
    type: VersionRef,
    description: 'Changes the settings of a draft version.',
    args: { input: t.arg({ type: UpdateVersionInput, required: true }) },
    errors: { types: [...modelCommandErrors, VersionPublishedError], dataField: { name: 'version' } },
    resolve: async (_root, { input: { modelId, ...data } }, ctx) => {
      await runCommand(ctx, String(modelId), { type: 'UpdateVersion', data });
      return loadVersion(ctx, String(modelId), data.number);
    },
  }),
  publishVersion: t.field({
    authScopes: { permission: 'version:publish' },
    type: VersionRef,
    description: 'Publishes a draft: from then on its settings and files can no longer change. Irreversible.',
    args: { modelId: t.arg.id({ required: true }), number: t.arg.int({ required: true }) },
    errors: { types: [...modelCommandErrors, VersionPublishedError], dataField: { name: 'version' } },
    resolve: async (_root, { modelId, number }, ctx) => {
      await runCommand(ctx, String(modelId), { type: 'PublishVersion', data: { number } });
      return loadVersion(ctx, String(modelId), number);
    },
  }),
  deleteVersion: t.field({
    authScopes: { permission: 'version:delete' },
    type: ModelRef,
    description: 'Deletes a version, its files and evaluations. Irreversible; its number is never given again. Refused while an alias points at it.',
    args: { modelId: t.arg.id({ required: true }), number: t.arg.int({ required: true }) },
    errors: { types: [...modelCommandErrors, VersionAliasedError], dataField: { name: 'model' } },
    resolve: async (_root, { modelId, number }, ctx) => {
      await runCommand(ctx, String(modelId), { type: 'DeleteVersion', data: { number } });
      const model = await loadModel(ctx, String(modelId));
      if (!model) throw new NotFoundError('No such model');
      return model;
    },
  }),
}));
