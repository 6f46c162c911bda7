import { describe, expect, it } from 'vitest';
import { parseJsonObject } from '../../web/src/json.ts';
import { parseTags } from '../../web/src/tags.ts';

describe("the dashboard's checks before submitting", () => {
  it('splits tags on commas, trims them, drops duplicates case-insensitively, and flags long ones', () => {
    expect(parseTags(' nlp, NLP ,prod,, ')).toEqual({ tags: ['nlp', 'prod'], errors: [] });
    const long = parseTags(`ok, ${'x'.repeat(33)}`);
    expect(long.errors).toHaveLength(1);
    expect(long.errors[0]).toMatch(/longer than 32/);
    expect(parseTags(Array.from({ length: 51 }, (_, i) => `t${i}`).join(',')).errors).toEqual(['At most 50 tags']);
  });

  it('accepts a JSON object (or nothing) and explains anything else', () => {
    expect(parseJsonObject('{"lr": 0.1}')).toEqual({ value: { lr: 0.1 } });
    expect(parseJsonObject('  ')).toEqual({ value: {} });
    expect(parseJsonObject('[1, 2]').error).toMatch(/JSON object/);
    expect(parseJsonObject('null').error).toMatch(/JSON object/);
    expect(parseJsonObject('{lr: 1}').error).toMatch(/Not JSON/);
  });
});
