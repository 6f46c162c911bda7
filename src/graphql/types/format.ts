import {
  ChecksumMismatchError,
  FileTooLargeError,
  FormatLimitError,
  UnknownFormatError,
  VersionPublishedError,
} from '../../domain/errors.ts';
import { abandonFiles, commitFilesInTransaction, receiveFiles } from '../../files/uploads.ts';
import type { FormatRecord } from '../../store/readModels.ts';
import { builder } from '../builder.ts';
import { modelCommandErrors } from '../errors.ts';
import { precheckCommand, runCommand } from '../runCommand.ts';
import { FormatRef, loadVersion, type VersionNode, VersionRef } from './refs.ts';

/** Where a format's file is served, relative to this server. */
export const downloadPath = (f: Pick<FormatRecord, 'modelId' | 'number' | 'format'>) =>
  `/files/${f.modelId}/${f.number}/${encodeURIComponent(f.format)}`;

FormatRef.implement({
  description: "A version's file in one format.",
  fields: (t) => ({
    id: t.exposeString('format', { description: 'The format id: pkl, rda, pmml, ...' }),
    filename: t.exposeString('filename', { description: 'The name the file was uploaded with.' }),
    size: t.exposeFloat('size', { description: 'Bytes.' }),
    sha256: t.exposeString('sha256'),
    contentType: t.exposeString('contentType'),
    uploadedAt: t.expose('uploadedAt', { type: 'DateTime' }),
    uploadedBy: t.exposeString('uploadedBy', { nullable: true }),
    downloadUrl: t.string({ description: 'A path on this server that serves the file.', resolve: downloadPath }),
    signedUrl: t.string({
      authScopes: { permission: 'format:download' },
      description:
        'A path on this server that serves the file to anyone holding it, without an Authorization header, for CAIRN_SIGNED_URL_TTL_SECONDS (10 minutes) and for this file only: a replaced file, or a revoked token (the one that asked for it) or lost role, stops it.',
      resolve: (f, _args, ctx) => {
        const query = ctx.links.sign({
          contextId: ctx.contextId,
          modelId: f.modelId,
          number: f.number,
          format: f.format,
          sha256: f.sha256,
          tokenId: ctx.identity.tokenId,
          expires: Math.floor(Date.now() / 1000) + ctx.config.signedUrlTtlSeconds,
        });
        return `${downloadPath(f)}?${query}`;
      },
    }),
  }),
});

builder.queryFields((t) => ({
  formats: t.stringList({ authScopes: { permission: 'model:view' }, description: 'The configured format ids.', resolve: (_root, _args, ctx) => [...ctx.config.limits.formats] }),
}));

/** The errors of a command that receives files, beyond those of any command on a model. */
export const fileErrors = [UnknownFormatError, FormatLimitError, VersionPublishedError, ChecksumMismatchError, FileTooLargeError];

/** Stands in for a file not yet received, so a command can be checked before its body is read. */
export const PENDING_FILE = { sha256: '0'.repeat(64), size: 1, contentType: 'application/octet-stream', filename: 'pending' };

export const FormatUploadInput = builder.inputType('FormatUploadInput', {
  description: 'A file for one format of a new version.',
  fields: (t) => ({
    format: t.string({ required: true }),
    file: t.field({ type: 'Upload', required: true }),
    sha256: t.string({ description: "The file's sha256 as the client computed it; a mismatch stores nothing." }),
  }),
});

const UploadFormatInput = builder.inputType('UploadFormatInput', {
  fields: (t) => ({
    modelId: t.id({ required: true }),
    number: t.int({ required: true }),
    format: t.string({ required: true, description: 'One of the configured format ids (Query.formats).' }),
    file: t.field({ type: 'Upload', required: true }),
    sha256: t.string({ description: "The file's sha256 as the client computed it; a mismatch stores nothing." }),
  }),
});

const UploadFormatSuccess = builder.objectRef<{ format: FormatRecord; version: VersionNode }>('UploadFormatSuccess').implement({
  fields: (t) => ({
    format: t.field({ type: FormatRef, resolve: (r) => r.format }),
    version: t.field({ type: VersionRef, resolve: (r) => r.version }),
  }),
});

builder.mutationFields((t) => ({
  uploadFormat: t.field({
    authScopes: { permission: 'format:upload' },
    type: UploadFormatSuccess,
    description: "Stores a draft version's file in one format, or replaces it. Send it as a GraphQL multipart request.",
    args: { input: t.arg({ type: UploadFormatInput, required: true }) },
    errors: { types: [...modelCommandErrors, ...fileErrors], directResult: true },
    resolve: async (_root, { input }, ctx) => {
      const modelId = String(input.modelId);
      const { number, format } = input;
      const known = await precheckCommand(ctx, modelId, { type: 'UploadFormat', data: { number, format, ...PENDING_FILE } });
      const [file] = await receiveFiles(ctx.blobs, [{ format, file: input.file, sha256: input.sha256 }], ctx.config.limits.maxUploadBytes);
      try {
        await runCommand(
          ctx,
          modelId,
          { type: 'UploadFormat', data: { number, format, sha256: file!.blob.sha256, size: file!.blob.size, contentType: file!.contentType, filename: file!.filename } },
          { beforeAppend: commitFilesInTransaction([file!]), known },
        );
      } catch (error) {
        // The command's own error is the answer (OUTCOME_UNKNOWN must not become "unavailable"); gc collects leftovers.
        await abandonFiles(ctx.db, ctx.blobs, [file!]).catch(() => {});
        throw error;
      }
      const version = await loadVersion(ctx, modelId, number);
      const stored = (await ctx.loaders.formats.load(version.modelId)).find((f) => f.number === number && f.format === format)!;
      return { format: stored, version };
    },
  }),
  deleteFormat: t.field({
    authScopes: { permission: 'format:delete' },
    type: VersionRef,
    description: "Deletes a draft version's file in one format.",
    args: { modelId: t.arg.id({ required: true }), number: t.arg.int({ required: true }), format: t.arg.string({ required: true }) },
    errors: { types: [...modelCommandErrors, VersionPublishedError], dataField: { name: 'version' } },
    resolve: async (_root, { modelId, number, format }, ctx) => {
      await runCommand(ctx, String(modelId), { type: 'DeleteFormat', data: { number, format } });
      return loadVersion(ctx, String(modelId), number);
    },
  }),
}));
