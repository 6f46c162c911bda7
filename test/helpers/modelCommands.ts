import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { ModelCommand } from '../../src/domain/model/commands.ts';

/** The values commands are drawn from. */
interface Pools {
  name: fc.Arbitrary<string>;
  number: fc.Arbitrary<number>;
  tagList: fc.Arbitrary<string[]>;
  json: fc.Arbitrary<unknown>;
  format: fc.Arbitrary<string>;
  sha: fc.Arbitrary<string>;
  alias: fc.Arbitrary<string>;
  metrics: fc.Arbitrary<unknown>;
}

const commandFrom = ({ name, number, tagList, json, format, sha, alias, metrics }: Pools): fc.Arbitrary<ModelCommand> =>
  fc.oneof(
    fc.record({ name, tags: tagList }).map((d) => ({ type: 'CreateModel', data: { modelId: '', contextId: '', ...d } }) as ModelCommand),
    fc.record({ name: fc.option(name, { nil: undefined }), description: fc.option(fc.string(), { nil: undefined }), tags: fc.option(tagList, { nil: undefined }) }).map(
      (d) => ({ type: 'UpdateModel', data: d }) as ModelCommand,
    ),
    fc.constant({ type: 'DeleteModel', data: {} } as ModelCommand),
    fc.record({ hyperparameters: json, tags: tagList }).map((d) => ({ type: 'CreateVersion', data: d }) as ModelCommand),
    fc.record({ number, config: json, description: fc.string() }).map((d) => ({ type: 'UpdateVersion', data: d }) as ModelCommand),
    number.map((n) => ({ type: 'PublishVersion', data: { number: n } }) as ModelCommand),
    number.map((n) => ({ type: 'DeleteVersion', data: { number: n } }) as ModelCommand),
    fc.record({ number, format, sha256: sha, size: fc.integer({ min: 0, max: 2000 }) }).map(
      (d) => ({ type: 'UploadFormat', data: { ...d, contentType: 'application/octet-stream', filename: 'm.bin' } }) as ModelCommand,
    ),
    fc.record({ number, format }).map((d) => ({ type: 'DeleteFormat', data: d }) as ModelCommand),
    fc.record({ number, metrics, uri: fc.constantFrom('s3://d/test.csv', 'dataset:7') }).map(
      ({ uri, ...d }) => ({ type: 'RecordEvaluation', data: { evaluationId: '', dataset: { uri }, ...d } }) as ModelCommand,
    ),
    fc.record({ alias, number }).map((d) => ({ type: 'SetAlias', data: d }) as ModelCommand),
    alias.map((a) => ({ type: 'RemoveAlias', data: { alias: a } }) as ModelCommand),
  );

const sha = fc.constantFrom('a'.repeat(64), 'b'.repeat(64));

/**
 * Any command on a model, valid or not. Small pools make collisions likely: the same name twice, a deleted
 * version updated, a limit reached. A CreateModel's ids are left empty for `onStream` to fill in.
 */
export const modelCommand = commandFrom({
  name: fc.constantFrom('alpha', 'Alpha', 'beta', 'gamma ', ''),
  number: fc.integer({ min: 1, max: 5 }),
  tagList: fc.array(fc.constantFrom('a', 'B', 'b', 'x'.repeat(33), 'prod'), { maxLength: 4 }),
  json: fc.oneof(fc.dictionary(fc.constantFrom('lr', 'depth'), fc.integer()), fc.constant([1])),
  format: fc.constantFrom('pkl', 'rda', 'pmml', 'onnx'),
  sha,
  alias: fc.constantFrom('production', 'canary', 'Prod', ''),
  metrics: fc.oneof(fc.dictionary(fc.constantFrom('auc', 'f1'), fc.double({ noNaN: true, noDefaultInfinity: true }), { minKeys: 1 }), fc.constant({}), fc.constant({ auc: 'high' })),
});

/** Commands that are mostly accepted (valid names, tags, settings and formats), for streams that must grow long. */
export const acceptedModelCommand = commandFrom({
  name: fc.constantFrom('alpha', 'beta'),
  number: fc.integer({ min: 1, max: 5 }),
  tagList: fc.array(fc.constantFrom('a', 'b', 'prod'), { maxLength: 3 }),
  json: fc.dictionary(fc.constantFrom('lr', 'depth', 'seed'), fc.oneof(fc.integer(), fc.string(), fc.double({ noNaN: true, noDefaultInfinity: true }))),
  format: fc.constantFrom('pkl', 'rda'),
  sha,
  alias: fc.constantFrom('production', 'canary'),
  metrics: fc.dictionary(fc.constantFrom('auc', 'f1', 'loss'), fc.double({ noNaN: true, noDefaultInfinity: true }), { minKeys: 1 }),
});

/**
 * The command aimed at one stream: a CreateModel gets that stream's id and the context, a RecordEvaluation
 * an id of its own (as the resolver gives it; a drawn one could repeat, which no caller can make happen).
 */
export function onStream(command: ModelCommand, modelId: string, contextId: string): ModelCommand {
  if (command.type === 'CreateModel') return { ...command, data: { ...command.data, modelId, contextId } };
  if (command.type === 'RecordEvaluation') return { ...command, data: { ...command.data, evaluationId: randomUUID() } };
  return command;
}
