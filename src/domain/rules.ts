import { FileTooLargeError, ValidationError } from './errors.ts';

/** Input rules shared by the commands. Each returns the normalised value or throws a ValidationError. */

export const NAME_MAX = 200;
export const TAG_MAX = 32;
export const TAGS_MAX = 50;
export const DESCRIPTION_MAX_BYTES = 100 * 1024;
export const JSON_MAX_BYTES = 1024 * 1024;
export const RECORDS_MAX = 100;
export const URI_MAX = 2048;
export const FILENAME_MAX = 255;
/** Objects and arrays inside one another in a JSON value: clients in other languages recurse to read it. */
export const JSON_MAX_DEPTH = 64;

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface DatasetRecord {
  uri: string;
  name: string | null;
}

const byteLength = (s: string) => Buffer.byteLength(s, 'utf8');

// Control characters other than tab, CR and LF have no place in names, tags or references.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

// A UTF-16 surrogate that is not half of a pair: with the u flag, a proper pair is one code point and does not match.
// The plain test first, as most text has no surrogate at all and it is several times faster.
const SURROGATE = /[\ud800-\udfff]/;
const LONE_SURROGATE = /\p{Cs}/u;

/** What makes a string not text, in words, or null when it is text. */
export function notText(value: string): string | null {
  if (value.includes('\u0000')) return 'a NUL character (U+0000)';
  if (SURROGATE.test(value) && LONE_SURROGATE.test(value)) return 'a lone UTF-16 surrogate, which is not Unicode text (send surrogates in pairs)';
  return null;
}

export const isText = (value: string): boolean => notText(value) === null;

/**
 * Every string a caller sends: no NUL (PostgreSQL cannot store it in text) and no lone surrogate (not Unicode:
 * it would be stored as U+FFFD, silently changed). Returns the value as it is.
 */
export function text(value: string, field: string): string {
  const problem = notText(value);
  if (problem) throw new ValidationError(field, `\`${field}\` may not contain ${problem}`);
  return value;
}

// Characters that make a name read differently from what it is: bidirectional controls (U+202E turns
// "gpj.exe" around) and invisible ones (two names that look the same but are not).
const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/;
const ZERO_WIDTH = /[\u200b-\u200d\u2060\ufeff]/;
// A zero-width joiner between pictographs is part of an emoji sequence (👩‍💻, 🏳️‍🌈), which is visible and allowed.
const EMOJI_JOINER = /(?<=[\p{Extended_Pictographic}\p{Emoji_Modifier}\ufe0f])\u200d(?=\p{Extended_Pictographic})/gu;

/**
 * What every name and tag is: text without control, bidirectional or invisible characters, trimmed. Checked
 * before trimming, since trim() would quietly drop a leading U+FEFF.
 */
function visibleText(value: string, field: string, what: string): string {
  text(value, field);
  if (BIDI_CONTROL.test(value)) throw new ValidationError(field, `${what} may not contain bidirectional control characters (U+202A-202E, U+2066-2069, U+200E, U+200F, U+061C)`);
  if (ZERO_WIDTH.test(value.replace(EMOJI_JOINER, ''))) throw new ValidationError(field, `${what} may not contain zero-width characters (U+200B-200D, U+2060, U+FEFF)`);
  const trimmed = value.trim();
  if (CONTROL.test(trimmed) || /[\r\n\t]/.test(trimmed)) throw new ValidationError(field, `${what} may not contain control characters`);
  return trimmed;
}

export function modelName(value: string, field = 'name'): string {
  const name = visibleText(value, field, 'A name');
  if (name.length === 0) throw new ValidationError(field, 'A name is required');
  if (name.length > NAME_MAX) throw new ValidationError(field, `A name is at most ${NAME_MAX} characters`);
  return name;
}

/** Trimmed, de-duplicated (case-insensitively, first spelling kept), in the order given. */
export function tags(values: readonly string[], field = 'tags'): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  values.forEach((raw, i) => {
    const tag = visibleText(raw, `${field}.${i}`, 'A tag');
    if (tag.length === 0) throw new ValidationError(`${field}.${i}`, 'A tag may not be empty');
    if (tag.length > TAG_MAX) throw new ValidationError(`${field}.${i}`, `A tag is at most ${TAG_MAX} characters: "${tag.slice(0, 40)}…"`);
    if (tag.includes(',')) throw new ValidationError(`${field}.${i}`, 'A tag may not contain a comma');
    const key = tag.toLowerCase();
    if (!seen.has(key)) {
      seen.add(key);
      out.push(tag);
    }
  });
  if (out.length > TAGS_MAX) throw new ValidationError(field, `At most ${TAGS_MAX} tags`);
  return out;
}

/** Plain text or markdown; an empty description is stored as none. */
export function description(value: string | null, field = 'description'): string | null {
  if (value === null) return null;
  text(value, field);
  if (value.trim().length === 0) return null;
  if (byteLength(value) > DESCRIPTION_MAX_BYTES) throw new ValidationError(field, `A description is at most ${DESCRIPTION_MAX_BYTES / 1024} KB`);
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Where in a JSON value, for messages: `$.a.b[3]`, each key cut short. */
function jsonPath(path: readonly (string | number)[]): string {
  return (
    '$' +
    path
      .map((k) => {
        if (typeof k === 'number') return `[${k}]`;
        const key = k.length > 40 ? `${k.slice(0, 40)}…` : k;
        return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
      })
      .join('')
  );
}

/**
 * Any JSON value a caller sends: at most 64 objects or arrays deep; keys and strings are text (no NUL, no
 * lone surrogate); numbers finite, and integers exact (within ±2^53: beyond, a JSON number is rounded by
 * most readers, so such values travel as strings); at most 1 MB serialised.
 */
export function jsonValue(value: unknown, field: string): JsonValue {
  // A round trip drops undefined and the like, so what is stored is exactly what is read back.
  return JSON.parse(checkedJson(value, field)) as JsonValue;
}

/** jsonValue's checks alone, for a value that is passed on as it is. */
export function checkJson(value: unknown, field: string): void {
  checkedJson(value, field);
}

/** The value serialised, once it passed jsonValue's checks. */
function checkedJson(value: unknown, field: string): string {
  // One path, pushed and popped as the walk goes: copying it at every node made 1 MB take 100 ms.
  const path: (string | number)[] = [];
  const visit = (v: unknown, depth: number): void => {
    if (typeof v === 'string') {
      const problem = notText(v);
      if (problem) throw new ValidationError(field, `\`${field}\` has a string at ${jsonPath(path)} with ${problem}`);
      return;
    }
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new ValidationError(field, `\`${field}\` holds a number that is not finite at ${jsonPath(path)}`);
      if (Number.isInteger(v) && !Number.isSafeInteger(v)) {
        throw new ValidationError(field, `\`${field}\` holds the integer ${v} at ${jsonPath(path)}, beyond ±2^53 where JSON numbers lose digits: send it as a string`);
      }
      return;
    }
    if (v === null || v === undefined || typeof v === 'boolean') return;
    if (typeof v !== 'object') throw new ValidationError(field, `\`${field}\` holds a ${typeof v} at ${jsonPath(path)}, which is not JSON`);
    if (depth >= JSON_MAX_DEPTH) throw new ValidationError(field, `\`${field}\` nests objects and arrays more than ${JSON_MAX_DEPTH} levels deep`);
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        path.push(i);
        visit(v[i], depth + 1);
        path.pop();
      }
      return;
    }
    for (const key of Object.keys(v)) {
      const problem = notText(key);
      if (problem) throw new ValidationError(field, `\`${field}\` has a key in ${jsonPath(path)} with ${problem}`);
      path.push(key);
      visit((v as Record<string, unknown>)[key], depth + 1);
      path.pop();
    }
  };
  visit(value, 0);
  let serialised: string | undefined;
  try {
    serialised = JSON.stringify(value);
  } catch {
    throw new ValidationError(field, `\`${field}\` is not a JSON value`);
  }
  if (serialised === undefined) throw new ValidationError(field, `\`${field}\` is not a JSON value`);
  if (byteLength(serialised) > JSON_MAX_BYTES) throw new ValidationError(field, `\`${field}\` is at most 1 MB as JSON`);
  return serialised;
}

/** hyperparameters and config: a JSON object (not an array or a scalar), as jsonValue. */
export function jsonObject(value: unknown, field: string): JsonObject {
  if (!isPlainObject(value)) throw new ValidationError(field, `${field} must be a JSON object`);
  return jsonValue(value, field) as JsonObject;
}

export function records(values: readonly { uri: string; name?: string | null }[], field = 'records'): DatasetRecord[] {
  if (values.length > RECORDS_MAX) throw new ValidationError(field, `At most ${RECORDS_MAX} dataset records`);
  return values.map((r, i) => datasetRecord(r, `${field}.${i}`));
}

/** A dataset: a URI (scheme:rest) and an optional name. */
export function datasetRecord(r: { uri: string; name?: string | null }, field: string): DatasetRecord {
  const uri = text(r.uri, `${field}.uri`).trim();
  if (uri.length === 0 || uri.length > URI_MAX) throw new ValidationError(`${field}.uri`, `A dataset URI is 1-${URI_MAX} characters`);
  if (!/^[a-z][a-z0-9+.-]*:\S+$/i.test(uri)) throw new ValidationError(`${field}.uri`, `"${uri.slice(0, 80)}" is not a URI (scheme:rest, e.g. s3://bucket/train.csv)`);
  const given = r.name == null ? '' : visibleText(r.name, `${field}.name`, 'A dataset name');
  const name = given === '' ? null : given;
  if (name !== null && name.length > NAME_MAX) throw new ValidationError(`${field}.name`, `A dataset name is at most ${NAME_MAX} characters`);
  return { uri, name };
}

export function sha256(value: string, field = 'sha256'): string {
  const hex = text(value, field).trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new ValidationError(field, 'A sha256 is 64 hexadecimal characters');
  return hex;
}

/** The original file name, without any directory part a client may have sent. */
export function filename(value: string, field = 'filename'): string {
  const base = visibleText(text(value, field).split(/[\\/]/).pop() ?? '', field, 'A file name');
  if (base.length === 0 || base === '.' || base === '..') throw new ValidationError(field, 'A file name is required');
  if (base.length > FILENAME_MAX) throw new ValidationError(field, `A file name is at most ${FILENAME_MAX} characters`);
  return base;
}

export function contentType(value: string, field = 'contentType'): string {
  const type = text(value, field).trim().toLowerCase();
  if (!/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+(\s*;.*)?$/.test(type) || type.length > 255) {
    throw new ValidationError(field, `"${value.slice(0, 80)}" is not a media type`);
  }
  return type;
}

export function fileSize(value: number, maxBytes: number, field = 'size'): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new ValidationError(field, 'A file size is a whole number of bytes');
  if (value === 0) throw new ValidationError(field, 'The file is empty');
  if (value > maxBytes) throw new FileTooLargeError(maxBytes);
  return value;
}

export const METRICS_MAX = 200;
export const METRIC_NAME_MAX = 64;
export const NOTES_MAX_BYTES = 10 * 1024;
export const ALIAS_MAX = 32;
export const ALIASES_MAX = 10;
/** Evaluations one version keeps: each is at most 200 numbers, and a version's state is held in memory. */
export const EVALUATIONS_MAX = 1000;

/**
 * An evaluation's metrics: a JSON object of 1-200 finite numbers, each named by 1-64 characters of visible
 * text (`auc`, `f1@0.5`, `rmse/holdout`). Returned in the order given.
 */
export function metrics(value: unknown, field = 'metrics'): Record<string, number> {
  if (!isPlainObject(value)) throw new ValidationError(field, '`metrics` must be a JSON object of metric names to numbers, e.g. {"auc": 0.91}');
  const entries = Object.entries(value);
  if (entries.length === 0) throw new ValidationError(field, '`metrics` needs at least one metric');
  if (entries.length > METRICS_MAX) throw new ValidationError(field, `\`metrics\` holds at most ${METRICS_MAX} metrics, not ${entries.length}`);
  const out: [string, number][] = [];
  for (const [key, v] of entries) {
    const name = visibleText(key, field, 'A metric name');
    if (name.length === 0 || name !== key) throw new ValidationError(field, 'A metric name may not be empty or start or end with spaces');
    if (name.length > METRIC_NAME_MAX) throw new ValidationError(field, `A metric name is at most ${METRIC_NAME_MAX} characters: "${name.slice(0, 40)}…"`);
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new ValidationError(`${field}.${name}`, `Metric "${name}" must be a finite number, not ${v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v}`);
    }
    // -0 is 0 once stored as JSON: kept as -0, the state a command returns would differ from the one read back.
    out.push([name, v === 0 ? 0 : v]);
  }
  // fromEntries defines each key as the object's own, `__proto__` included (an assignment would set the prototype).
  return Object.fromEntries(out);
}

/** An evaluation's notes: plain text or markdown, at most 10 KB; empty is none. */
export function notes(value: string | null | undefined, field = 'notes'): string | null {
  if (value == null) return null;
  text(value, field);
  if (value.trim().length === 0) return null;
  if (byteLength(value) > NOTES_MAX_BYTES) throw new ValidationError(field, `Notes are at most ${NOTES_MAX_BYTES / 1024} KB`);
  return value;
}

/**
 * An alias: 1-32 characters, a lower-case letter then letters, digits, `_` or `-` (`production`, `champion`,
 * `canary-eu`). Never a number, so `/files/<model>/<number or alias>/<format>` reads either unambiguously.
 */
export function aliasName(value: string, field = 'alias'): string {
  text(value, field);
  if (value.length === 0 || value.length > ALIAS_MAX || !/^[a-z][a-z0-9_-]*$/.test(value)) {
    throw new ValidationError(
      field,
      `"${value.slice(0, 40)}" is not an alias: 1-${ALIAS_MAX} characters, a lower-case letter first, then lower-case letters, digits, _ or -`,
    );
  }
  return value;
}

export const isAliasName = (value: string): boolean => value.length <= ALIAS_MAX && /^[a-z][a-z0-9_-]*$/.test(value);

export function versionNumber(value: number, field = 'number'): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new ValidationError(field, 'A version number is a whole number from 1');
  return value;
}
