/**
 * What a caller asks of a model. Inputs are raw (as a client sent them): decide() validates and normalises.
 * Ids are chosen by the caller (the store generates a model's UUID), so decide() stays deterministic.
 */
export interface FormatInput {
  format: string;
  sha256: string;
  size: number;
  contentType: string;
  filename: string;
}

export interface VersionSettingsInput {
  description?: string | null;
  tags?: readonly string[] | null;
  hyperparameters?: unknown;
  config?: unknown;
  records?: readonly { uri: string; name?: string | null }[] | null;
}

export type ModelCommand =
  | { type: 'CreateModel'; data: { modelId: string; contextId: string; name: string; description?: string | null; tags?: readonly string[] | null } }
  | { type: 'UpdateModel'; data: { name?: string | null; description?: string | null; tags?: readonly string[] | null } }
  | { type: 'DeleteModel'; data: Record<string, never> }
  | { type: 'CreateVersion'; data: VersionSettingsInput & { formats?: readonly FormatInput[] | null } }
  | { type: 'UpdateVersion'; data: VersionSettingsInput & { number: number } }
  | { type: 'PublishVersion'; data: { number: number } }
  | { type: 'DeleteVersion'; data: { number: number } }
  | { type: 'UploadFormat'; data: FormatInput & { number: number } }
  | { type: 'DeleteFormat'; data: { number: number; format: string } }
  | {
      type: 'RecordEvaluation';
      data: { evaluationId: string; number: number; dataset: { uri: string; name?: string | null }; metrics: unknown; notes?: string | null };
    }
  | { type: 'SetAlias'; data: { alias: string; number: number } }
  | { type: 'RemoveAlias'; data: { alias: string } };

export type ModelCommandType = ModelCommand['type'];
