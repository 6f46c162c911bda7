import { describe, expect, it } from 'vitest';
import { cellText, groupRows, type Row } from '../../web/src/record/comparison.ts';
import { sentence } from '../../web/src/record/history.ts';
import { shellQuote, snippets } from '../../web/src/record/snippets.ts';
import { describeProgress, duration } from '../../web/src/record/uploadProgress.ts';
import { gapText, withGaps } from '../../web/src/record/versionRows.ts';

describe('the versions table', () => {
  it('lists versions newest first with a row for each run of deleted numbers', () => {
    const rows = withGaps([1, 2, 5, 9, 10].map((number) => ({ number })));
    expect(rows.map((r) => (r.kind === 'gap' ? gapText(r) : r.version.number))).toEqual([10, 9, 'Versions 6–8 deleted (3)', 5, 'Versions 3–4 deleted (2)', 2, 1]);
    expect(withGaps([{ number: 3 }, { number: 1 }]).map((r) => (r.kind === 'gap' ? gapText(r) : r.version.number))).toEqual([3, 'Version 2 deleted', 1]);
    expect(withGaps([])).toEqual([]);
  });
});

describe('the comparison', () => {
  const rows: Row[] = [
    { section: 'METRICS', key: 'f1', dataset: 's3://b', differs: false, values: [1, 1] },
    { section: 'CONFIG', key: 'threshold', differs: false, values: [0.7, 0.7] },
    { section: 'METRICS', key: 'auc', dataset: 's3://a', differs: true, values: [0.8, 0.9] },
    { section: 'HYPERPARAMETERS', key: 'lr', differs: true, values: [0.1, null] },
  ];
  it('groups rows by section in the schema order, metrics by dataset, and filters to differences', () => {
    expect(groupRows(rows, false).map((g) => [g.section, g.rows.map((r) => r.key)])).toEqual([
      ['HYPERPARAMETERS', ['lr']],
      ['CONFIG', ['threshold']],
      ['METRICS', ['auc', 'f1']],
    ]);
    expect(groupRows(rows, true).map((g) => [g.section, g.rows.map((r) => r.key)])).toEqual([
      ['HYPERPARAMETERS', ['lr']],
      ['METRICS', ['auc']],
    ]);
  });
  it('shows a missing value as a dash and others as JSON', () => {
    expect([null, 'adam', 0.1, { beta: [1, 2] }, false].map(cellText)).toEqual(['—', 'adam', '0.1', '{"beta":[1,2]}', 'false']);
  });
});

describe('history sentences', () => {
  const base = { id: 'e', type: 'X', actor: 'alice', recordedAt: '2026-01-01T00:00:00Z' };
  it('says who did what in words', () => {
    expect(sentence({ ...base, __typename: 'VersionPublishedEvent', number: 3 })).toBe('alice published version 3');
    expect(sentence({ ...base, actor: 'bob', __typename: 'AliasSetEvent', alias: 'production', number: 3, previousNumber: 2 })).toBe('bob moved alias production from 2 to 3');
    expect(sentence({ ...base, __typename: 'AliasSetEvent', alias: 'production', number: 1, previousNumber: null })).toBe('alice set alias production to version 1');
    expect(sentence({ ...base, actor: 'carol', __typename: 'EvaluationRecordedEvent', number: 2, dataset: { uri: 's3://d/holdout.csv', name: null } })).toBe('carol recorded an evaluation of version 2 on s3://d/holdout.csv');
    expect(sentence({ ...base, __typename: 'VersionUpdatedEvent', number: 1, changed: ['description', 'tags', 'config'] })).toBe('alice changed the description, tags and config of version 1');
    expect(sentence({ ...base, __typename: 'FormatUploadedEvent', number: 1, format: 'pkl', size: 5000, replaced: true })).toBe('alice replaced the pkl file of version 1 (4.9 KiB)');
    expect(sentence({ ...base, actor: null, __typename: 'VersionDeletedEvent', number: 4 })).toBe('Someone deleted version 4');
  });
  it('still says something for an event type newer than the dashboard', () => {
    expect(sentence({ ...base, __typename: 'ModelArchivedEvent', type: 'ModelArchived' } as never)).toBe('alice: ModelArchived');
  });
});

describe('"Use this version" snippets', () => {
  const target = { origin: 'https://cairn.example', context: 'research', model: 'churn model', number: 3, alias: 'production', format: 'pkl', signedUrl: '/files/abc/3/pkl?s=x' };
  it('gives curl by alias and number, the signed link, the CLI, Python and R, naming the context', () => {
    const byId = Object.fromEntries(snippets(target).map((s) => [s.id, s.code]));
    expect(byId['curl-alias']).toBe(`curl -fSL -H "Authorization: Bearer $CAIRN_TOKEN" -H 'X-Cairn-Context: research' -o model.pkl 'https://cairn.example/files/churn%20model/production/pkl'`);
    expect(byId['curl-number']).toContain(`'https://cairn.example/files/churn%20model/3/pkl'`);
    expect(byId['curl-signed']).toBe(`curl -fSL -o model.pkl 'https://cairn.example/files/abc/3/pkl?s=x'`);
    expect(byId['cli']).toBe(`CAIRN_URL='https://cairn.example' cairn download --context 'research' --model 'churn model' --alias 'production' --format 'pkl' -o model.pkl`);
    expect(byId['python']).toContain('cairn = Cairn("https://cairn.example", os.environ["CAIRN_TOKEN"], context="research")');
    expect(byId['python']).toContain('model.version(alias="production").download("pkl", path="model.pkl")');
    expect(byId['r']).toContain('cairn_download(cairn_version(cairn_model(cn, "churn model"), alias = "production"), "pkl", path = "model.pkl")');
  });
  it('uses the number without an alias, leaves out the default context, and quotes hostile names', () => {
    const list = snippets({ ...target, context: 'default', alias: null, signedUrl: null, model: `it's"; rm -rf /` });
    expect(list.map((s) => s.id)).toEqual(['curl-number', 'cli', 'python', 'r']);
    const cli = list.find((s) => s.id === 'cli')!.code;
    expect(cli).toContain(`--model ${shellQuote(`it's"; rm -rf /`)} --version 3`);
    expect(cli).not.toContain('--context');
    expect(shellQuote(`it's`)).toBe(`'it'\\''s'`);
    expect(list.find((s) => s.id === 'python')!.code).toContain('cairn.model("it\'s\\"; rm -rf /")');
  });
});

describe('upload progress', () => {
  it('says percent, bytes of the total, rate and time left', () => {
    expect(describeProgress({ loaded: 50 * 1024 ** 2, total: 200 * 1024 ** 2, elapsedMs: 10_000 })).toEqual({ percent: 25, amount: '50.0 MiB of 200.0 MiB', rate: '5.0 MiB/s', left: 'about 30 s left' });
    expect(describeProgress({ loaded: 0, total: 100, elapsedMs: 0 })).toEqual({ percent: 0, amount: '0 B of 100 B', rate: null, left: null });
    expect(describeProgress({ loaded: 100, total: 100, elapsedMs: 1000 }).left).toBe('finishing');
    expect([0.2, 90, 600, 7300].map(duration)).toEqual(['1 s', '90 s', '10 min', '2 h 2 min']);
  });
});
