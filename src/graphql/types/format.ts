import { VersionPublishedError } from '../../domain/errors.ts';
import type { FormatRecord } from '../../store/readModels.ts';
import { builder } from '../builder.ts';
import { modelCommandErrors } from '../errors.ts';
import { runCommand } from '../runCommand.ts';
import { loadVersion, VersionRef } from './version.ts';

/** Where a format's file is served, relative to this server. */
export const downloadPath = (f: Pick<FormatRecord, 'modelId' | 'number' | 'format'>) =>
  `/files/${f.modelId}/${f.number}/${encodeURIComponent(f.format)}`;

export const FormatRef = builder.objectRef<FormatRecord>('Format').implement({
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
  }),
});

builder.queryFields((t) => ({
  formats: t.stringList({ description: 'The configured format ids.', resolve: (_root, _args, ctx) => [...ctx.config.limits.formats] }),
}));

builder.mutationFields((t) => ({
  deleteFormat: t.field({
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
