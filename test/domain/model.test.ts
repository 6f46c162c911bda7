import { describe, expect, it } from 'vitest';
import {
  FileTooLargeError,
  FormatLimitError,
  NotFoundError,
  UnknownFormatError,
  ValidationError,
  VersionLimitError,
  VersionPublishedError,
} from '../../src/domain/errors.ts';
import type { ModelCommand } from '../../src/domain/model/commands.ts';
import { decide } from '../../src/domain/model/decide.ts';
import type { ModelEvent } from '../../src/domain/model/events.ts';
import { fold } from '../../src/domain/model/evolve.ts';
import { CONTEXT_ID, formatUploaded, given, limits, MODEL_ID, modelCreated, recorded, SHA, versionCreated } from '../helpers/modelSpecification.ts';

const create = (data: Partial<{ name: string; description: string | null; tags: string[] }> = {}) =>
  ({ type: 'CreateModel', data: { modelId: MODEL_ID, contextId: CONTEXT_ID, name: 'churn', ...data } }) as const;

const file = (format = 'pkl', extra: Record<string, unknown> = {}) => ({
  format,
  sha256: SHA,
  size: 10,
  contentType: 'application/octet-stream',
  filename: `model.${format}`,
  ...extra,
});

describe('CreateModel', () => {
  it('creates a model with a trimmed name, tags and description', () => {
    given([])
      .when(create({ name: '  churn  ', description: '# Churn\nmodel', tags: [' a ', 'b'] }))
      .then([modelCreated('churn', { description: '# Churn\nmodel', tags: ['a', 'b'] })]);
  });

  it('refuses an empty or blank name', () => {
    given([]).when(create({ name: '   ' })).thenThrows(ValidationError, /name is required/);
  });

  it('accepts 200 characters and refuses 201', () => {
    given([]).when(create({ name: 'x'.repeat(200) })).then([modelCreated('x'.repeat(200))]);
    given([]).when(create({ name: 'x'.repeat(201) })).thenThrows(ValidationError, /at most 200/);
  });

  it('refuses control characters in a name', () => {
    given([]).when(create({ name: 'a\nb' })).thenThrows(ValidationError, /control/);
  });

  it('trims tags, removes duplicates case-insensitively and keeps the first spelling', () => {
    given([])
      .when(create({ tags: ['NLP', ' nlp', 'prod', 'NLP'] }))
      .then([modelCreated('churn', { tags: ['NLP', 'prod'] })]);
  });

  it('refuses tags that are empty, longer than 32 characters or contain a comma', () => {
    given([]).when(create({ tags: ['ok', '  '] })).thenThrows(ValidationError, /empty/);
    given([]).when(create({ tags: ['x'.repeat(33)] })).thenThrows(ValidationError, /at most 32/);
    given([])
      .when(create({ tags: ['x'.repeat(32)] }))
      .then([modelCreated('churn', { tags: ['x'.repeat(32)] })]);
    given([]).when(create({ tags: ['a,b'] })).thenThrows(ValidationError, /comma/);
  });

  it('allows 50 tags and refuses 51', () => {
    const fifty = Array.from({ length: 50 }, (_, i) => `t${i}`);
    given([]).when(create({ tags: fifty })).then([modelCreated('churn', { tags: fifty })]);
    given([]).when(create({ tags: [...fifty, 'one-more'] })).thenThrows(ValidationError, /At most 50 tags/);
  });

  it('allows a description of 100 KB and refuses one byte more; a blank one is none', () => {
    const max = 'é'.repeat(50 * 1024);
    given([]).when(create({ description: max })).then([modelCreated('churn', { description: max })]);
    given([]).when(create({ description: `${max}x` })).thenThrows(ValidationError, /100 KB/);
    given([]).when(create({ description: '  ' })).then([modelCreated('churn')]);
  });

  it('refuses a model id that is already in use', () => {
    given([modelCreated()]).when(create()).thenThrows(ValidationError);
  });
});

describe('UpdateModel', () => {
  it('records only what changed', () => {
    given([modelCreated('churn', { tags: ['a'] })])
      .when({ type: 'UpdateModel', data: { name: 'churn', description: 'new', tags: ['a'] } })
      .then([{ type: 'ModelUpdated', data: { description: 'new' } }]);
  });

  it('records nothing when nothing changes', () => {
    given([modelCreated()]).when({ type: 'UpdateModel', data: { name: ' churn ' } }).then([]);
  });

  it('clears the description with null', () => {
    given([modelCreated('churn', { description: 'old' })])
      .when({ type: 'UpdateModel', data: { description: null } })
      .then([{ type: 'ModelUpdated', data: { description: null } }]);
  });

  it('applies the same rules as CreateModel', () => {
    given([modelCreated()]).when({ type: 'UpdateModel', data: { name: '' } }).thenThrows(ValidationError);
    given([modelCreated()]).when({ type: 'UpdateModel', data: { tags: ['a,b'] } }).thenThrows(ValidationError);
  });

  it('refuses a model that does not exist or was deleted', () => {
    given([]).when({ type: 'UpdateModel', data: { name: 'x' } }).thenThrows(NotFoundError);
    given([modelCreated(), { type: 'ModelDeleted', data: {} }])
      .when({ type: 'UpdateModel', data: { name: 'x' } })
      .thenThrows(NotFoundError);
  });
});

describe('CreateVersion', () => {
  it('numbers the first version 1 with empty settings', () => {
    given([modelCreated()]).when({ type: 'CreateVersion', data: {} }).then([versionCreated(1)]);
  });

  it('never reuses a number, not even that of a deleted highest version', () => {
    given([modelCreated(), versionCreated(1), versionCreated(2), { type: 'VersionDeleted', data: { number: 2 } }])
      .when({ type: 'CreateVersion', data: {} })
      .then([versionCreated(3)]);
  });

  it('stores hyperparameters, config and records', () => {
    given([modelCreated()])
      .when({
        type: 'CreateVersion',
        data: {
          description: 'v1',
          tags: ['x'],
          hyperparameters: { lr: 0.1, layers: [3, 4] },
          config: { threshold: 0.5 },
          records: [{ uri: 's3://data/train.csv', name: ' train ' }, { uri: 'dataset:42' }],
        },
      })
      .then([
        {
          type: 'VersionCreated',
          data: {
            number: 1,
            description: 'v1',
            tags: ['x'],
            hyperparameters: { lr: 0.1, layers: [3, 4] },
            config: { threshold: 0.5 },
            records: [
              { uri: 's3://data/train.csv', name: 'train' },
              { uri: 'dataset:42', name: null },
            ],
          },
        },
      ]);
  });

  it('refuses hyperparameters or config that are not JSON objects', () => {
    for (const bad of [[1, 2], 'text', 3, true]) {
      given([modelCreated()]).when({ type: 'CreateVersion', data: { hyperparameters: bad } }).thenThrows(ValidationError, /JSON object/);
      given([modelCreated()]).when({ type: 'CreateVersion', data: { config: bad } }).thenThrows(ValidationError, /JSON object/);
    }
  });

  it('refuses a JSON object over 1 MB', () => {
    const big = { blob: 'x'.repeat(1024 * 1024) };
    given([modelCreated()]).when({ type: 'CreateVersion', data: { config: big } }).thenThrows(ValidationError, /1 MB/);
  });

  it('refuses a record whose uri is not a URI', () => {
    given([modelCreated()])
      .when({ type: 'CreateVersion', data: { records: [{ uri: 'train.csv' }] } })
      .thenThrows(ValidationError, /not a URI/);
  });

  it(`refuses one version more than the limit, naming it, and counts only live versions`, () => {
    const small = { ...limits, maxVersions: 2 };
    given([modelCreated(), versionCreated(1), versionCreated(2)], { limits: small })
      .when({ type: 'CreateVersion', data: {} })
      .thenThrows(VersionLimitError, /2 versions/);
    given([modelCreated(), versionCreated(1), versionCreated(2), { type: 'VersionDeleted', data: { number: 1 } }], { limits: small })
      .when({ type: 'CreateVersion', data: {} })
      .then([versionCreated(3)]);
  });

  it('creates a version with its files in one step', () => {
    given([modelCreated()])
      .when({ type: 'CreateVersion', data: { formats: [file('pkl'), file('pmml')] } })
      .then([versionCreated(1), formatUploaded(1, 'pkl'), formatUploaded(1, 'pmml')]);
  });

  it('refuses the same format twice, an unknown format, or more formats than allowed', () => {
    given([modelCreated()]).when({ type: 'CreateVersion', data: { formats: [file(), file()] } }).thenThrows(ValidationError, /once/);
    given([modelCreated()]).when({ type: 'CreateVersion', data: { formats: [file('onnx')] } }).thenThrows(UnknownFormatError, /pkl, rda, pmml/);
    given([modelCreated()], { limits: { ...limits, maxFormats: 1 } })
      .when({ type: 'CreateVersion', data: { formats: [file('pkl'), file('rda')] } })
      .thenThrows(FormatLimitError);
  });

  it('refuses a missing model', () => {
    given([]).when({ type: 'CreateVersion', data: {} }).thenThrows(NotFoundError);
  });
});

describe('UpdateVersion', () => {
  it('changes a draft, recording only what changed', () => {
    given([modelCreated(), versionCreated(1)])
      .when({ type: 'UpdateVersion', data: { number: 1, config: { a: 1 }, hyperparameters: {} } })
      .then([{ type: 'VersionUpdated', data: { number: 1, config: { a: 1 } } }]);
  });

  it('refuses a published version', () => {
    given([modelCreated(), versionCreated(1), { type: 'VersionPublished', data: { number: 1 } }])
      .when({ type: 'UpdateVersion', data: { number: 1, description: 'x' } })
      .thenThrows(VersionPublishedError, /published/);
  });

  it('refuses a missing or deleted version', () => {
    given([modelCreated(), versionCreated(1), { type: 'VersionDeleted', data: { number: 1 } }])
      .when({ type: 'UpdateVersion', data: { number: 1, description: 'x' } })
      .thenThrows(NotFoundError, /no version 1/);
    given([modelCreated()]).when({ type: 'UpdateVersion', data: { number: 0 } }).thenThrows(ValidationError);
  });
});

describe('PublishVersion', () => {
  it('publishes a draft once', () => {
    const published = { type: 'VersionPublished', data: { number: 1 } } as const;
    given([modelCreated(), versionCreated(1)]).when({ type: 'PublishVersion', data: { number: 1 } }).then([published]);
    given([modelCreated(), versionCreated(1), published]).when({ type: 'PublishVersion', data: { number: 1 } }).thenThrows(VersionPublishedError);
  });

  it('records who published and when', () => {
    const state = fold(recorded([modelCreated(), versionCreated(1), { type: 'VersionPublished', data: { number: 1 } }]));
    expect(state.status === 'live' && state.versions[0]).toMatchObject({
      status: 'PUBLISHED',
      publishedBy: 'alice',
      publishedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, 2)),
    });
  });
});

describe('formats', () => {
  const upload = (extra: Record<string, unknown> = {}) => ({ type: 'UploadFormat', data: { number: 1, ...file(), ...extra } }) as const;

  it('records a new format, then a replacement', () => {
    given([modelCreated(), versionCreated(1)]).when(upload()).then([formatUploaded(1)]);
    given([modelCreated(), versionCreated(1), formatUploaded(1)])
      .when(upload({ sha256: 'B'.repeat(64) }))
      .then([formatUploaded(1, 'pkl', true, 'b'.repeat(64))]);
  });

  it('keeps the file name without any directory and normalises the media type', () => {
    given([modelCreated(), versionCreated(1)])
      .when(upload({ filename: '../../etc/model.pkl', contentType: 'Application/Octet-Stream' }))
      .then([formatUploaded(1)]);
  });

  it('refuses an unknown format, naming the configured ones', () => {
    given([modelCreated(), versionCreated(1)]).when(upload({ format: 'onnx' })).thenThrows(UnknownFormatError, /pkl, rda, pmml/);
  });

  it('refuses more formats than the limit, but a replacement is not one more', () => {
    const one = { ...limits, maxFormats: 1 };
    given([modelCreated(), versionCreated(1), formatUploaded(1, 'pkl')], { limits: one }).when(upload({ format: 'rda' })).thenThrows(FormatLimitError);
    given([modelCreated(), versionCreated(1), formatUploaded(1, 'pkl')], { limits: one }).when(upload()).then([formatUploaded(1, 'pkl', true)]);
  });

  it('refuses an empty file, one over the size limit, and a malformed sha256', () => {
    given([modelCreated(), versionCreated(1)]).when(upload({ size: 0 })).thenThrows(ValidationError, /empty/);
    given([modelCreated(), versionCreated(1)]).when(upload({ size: 1025 })).thenThrows(FileTooLargeError);
    given([modelCreated(), versionCreated(1)]).when(upload({ sha256: 'abc' })).thenThrows(ValidationError, /64 hexadecimal/);
  });

  it('refuses changes to the formats of a published version', () => {
    const past = [modelCreated(), versionCreated(1), formatUploaded(1), { type: 'VersionPublished', data: { number: 1 } } as const];
    given(past).when(upload()).thenThrows(VersionPublishedError);
    given(past).when({ type: 'DeleteFormat', data: { number: 1, format: 'pkl' } }).thenThrows(VersionPublishedError);
  });

  it('deletes a format of a draft, and refuses one that is not there', () => {
    given([modelCreated(), versionCreated(1), formatUploaded(1)])
      .when({ type: 'DeleteFormat', data: { number: 1, format: 'pkl' } })
      .then([{ type: 'FormatDeleted', data: { number: 1, format: 'pkl' } }]);
    given([modelCreated(), versionCreated(1)]).when({ type: 'DeleteFormat', data: { number: 1, format: 'pkl' } }).thenThrows(NotFoundError);
  });
});

describe('DeleteVersion and DeleteModel', () => {
  it('deletes a draft or a published version, with its formats', () => {
    const deleted = { type: 'VersionDeleted', data: { number: 1 } } as const;
    given([modelCreated(), versionCreated(1), formatUploaded(1)]).when({ type: 'DeleteVersion', data: { number: 1 } }).then([deleted]);
    given([modelCreated(), versionCreated(1), { type: 'VersionPublished', data: { number: 1 } }])
      .when({ type: 'DeleteVersion', data: { number: 1 } })
      .then([deleted]);
    given([modelCreated(), versionCreated(1), deleted]).when({ type: 'DeleteVersion', data: { number: 1 } }).thenThrows(NotFoundError);
  });

  it('leaves the gap in the numbers visible in the state', () => {
    const state = fold(recorded([modelCreated(), versionCreated(1), versionCreated(2), versionCreated(3), { type: 'VersionDeleted', data: { number: 2 } }]));
    expect(state.status === 'live' && state.versions.map((v) => v.number)).toEqual([1, 3]);
  });

  it('deletes a model once; afterwards it is gone', () => {
    given([modelCreated(), versionCreated(1)]).when({ type: 'DeleteModel', data: {} }).then([{ type: 'ModelDeleted', data: {} }]);
    given([modelCreated(), { type: 'ModelDeleted', data: {} }]).when({ type: 'DeleteModel', data: {} }).thenThrows(NotFoundError);
    given([modelCreated(), { type: 'ModelDeleted', data: {} }]).when({ type: 'CreateVersion', data: {} }).thenThrows(NotFoundError);
  });
});

describe('input hygiene', () => {
  /** The field a refused command names (and that it was refused with a ValidationError at all). */
  function refusedField(past: ModelEvent[], command: ModelCommand): string {
    try {
      decide(command, fold(recorded(past)), limits);
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      return (error as ValidationError).field;
    }
    throw new Error(`${command.type} was not refused`);
  }
  const createVersion = (data: Record<string, unknown>) => ({ type: 'CreateVersion', data }) as const;
  const NOT_TEXT = ['\u0000', '\ud800', '\udbff', '\udc00', '\udfff'];

  it('refuses NUL and lone surrogates in every string of the commands, naming the field', () => {
    for (const bad of NOT_TEXT) {
      const x = `a${bad}b`;
      expect(refusedField([], create({ name: x }))).toBe('name');
      expect(refusedField([], create({ description: x }))).toBe('description');
      expect(refusedField([], create({ tags: ['ok', x] }))).toBe('tags.1');
      expect(refusedField([modelCreated()], { type: 'UpdateModel', data: { description: x } })).toBe('description');
      expect(refusedField([modelCreated()], createVersion({ description: x }))).toBe('description');
      expect(refusedField([modelCreated()], createVersion({ records: [{ uri: `s3://b/${x}` }] }))).toBe('records.0.uri');
      expect(refusedField([modelCreated()], createVersion({ records: [{ uri: 's3://b/t', name: x }] }))).toBe('records.0.name');
      expect(refusedField([modelCreated()], createVersion({ formats: [file('pkl', { filename: x })] }))).toBe('formats.0.filename');
      expect(refusedField([modelCreated()], createVersion({ formats: [file(x)] }))).toBe('formats.0.format');
      expect(refusedField([modelCreated(), versionCreated(1)], { type: 'UploadFormat', data: { number: 1, ...file('pkl', { contentType: `text/${x}` }) } })).toBe('file.contentType');
      expect(refusedField([modelCreated(), versionCreated(1)], { type: 'DeleteFormat', data: { number: 1, format: x } })).toBe('format');
    }
  });

  it('refuses them in the keys and strings of JSON settings, at any depth, naming the setting and where', () => {
    for (const bad of NOT_TEXT) {
      expect(refusedField([modelCreated()], createVersion({ hyperparameters: { [`k${bad}`]: 1 } }))).toBe('hyperparameters');
      expect(refusedField([modelCreated()], createVersion({ config: { a: [{ b: `v${bad}` }] } }))).toBe('config');
    }
    given([modelCreated()])
      .when(createVersion({ config: { a: [{ b: 'v\u0000' }] } }))
      .thenThrows(ValidationError, /\$\.a\[0\]\.b/);
  });

  it('refuses bidirectional controls and zero-width characters in names, tags, dataset names and file names', () => {
    const invisible = ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069', '\u200e', '\u200f', '\u061c', '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff'];
    for (const c of invisible) {
      expect(refusedField([], create({ name: `pay${c}roll` }))).toBe('name');
      expect(refusedField([modelCreated()], { type: 'UpdateModel', data: { name: `${c}churn` } })).toBe('name');
      expect(refusedField([], create({ tags: [`t${c}`] }))).toBe('tags.0');
      expect(refusedField([modelCreated()], createVersion({ tags: [`t${c}`] }))).toBe('tags.0');
      expect(refusedField([modelCreated()], createVersion({ records: [{ uri: 's3://b/t', name: `d${c}s` }] }))).toBe('records.0.name');
      expect(refusedField([modelCreated()], createVersion({ formats: [file('pkl', { filename: `model${c}gpj.pkl` })] }))).toBe('formats.0.filename');
    }
    // trim() would drop a leading U+FEFF quietly; it is refused instead.
    given([]).when(create({ name: '\ufeffchurn' })).thenThrows(ValidationError, /zero-width/);
    given([]).when(create({ name: 'churn\u202e' })).thenThrows(ValidationError, /bidirectional/);
  });

  it('keeps text that is only unusual: accents, CJK, right-to-left letters, emoji and emoji sequences joined by U+200D', () => {
    for (const name of ['Modèle é', '模型', 'نموذج', 'מודל 2', '😀 churn', '👩‍💻 coder', '🏳️‍🌈', '👨‍👩‍👧']) {
      given([]).when(create({ name, tags: [name] })).then([modelCreated(name, { tags: [name] })]);
    }
    // Free text may hold them: a description is not a name.
    const description = 'x \u202e y \u200b z';
    given([]).when(create({ description })).then([modelCreated('churn', { description })]);
  });

  it('accepts JSON nested 64 levels deep and refuses 65', () => {
    const nest = (levels: number) => {
      let value: unknown = { leaf: true };
      for (let i = 1; i < levels; i++) value = (levels - i) % 2 === 0 ? [value] : { a: value };
      return value;
    };
    const [event] = decide(createVersion({ hyperparameters: nest(64) }), fold(recorded([modelCreated()])), limits);
    expect(event).toMatchObject({ type: 'VersionCreated', data: { hyperparameters: nest(64) } });
    given([modelCreated()]).when(createVersion({ hyperparameters: nest(65) })).thenThrows(ValidationError, /64 levels/);
    expect(refusedField([modelCreated()], createVersion({ config: nest(4000) }))).toBe('config');
  });

  it('keeps integers within ±(2^53 - 1) and refuses larger ones, asking for a string; refuses non-finite numbers', () => {
    const exact = { a: 2 ** 53 - 1, b: -(2 ** 53 - 1), c: 0.1, d: 1e-300 };
    const [event] = decide(createVersion({ hyperparameters: exact }), fold(recorded([modelCreated()])), limits);
    expect(event).toMatchObject({ data: { hyperparameters: exact } });
    for (const n of [2 ** 53, -(2 ** 53), 2 ** 53 + 2, 1e21]) {
      given([modelCreated()]).when(createVersion({ hyperparameters: { seed: n } })).thenThrows(ValidationError, /send it as a string/);
    }
    for (const n of [Infinity, -Infinity, NaN]) {
      given([modelCreated()]).when(createVersion({ config: { x: [n] } })).thenThrows(ValidationError, /not finite/);
    }
  });
});
