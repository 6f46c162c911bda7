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

export function modelName(value: string, field = 'name'): string {
  const name = value.trim();
  if (name.length === 0) throw new ValidationError(field, 'A name is required');
  if (name.length > NAME_MAX) throw new ValidationError(field, `A name is at most ${NAME_MAX} characters`);
  if (CONTROL.test(name) || /[\r\n\t]/.test(name)) throw new ValidationError(field, 'A name may not contain control characters');
  return name;
}

/** Trimmed, de-duplicated (case-insensitively, first spelling kept), in the order given. */
export function tags(values: readonly string[], field = 'tags'): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  values.forEach((raw, i) => {
    const tag = raw.trim();
    if (tag.length === 0) throw new ValidationError(`${field}.${i}`, 'A tag may not be empty');
    if (tag.length > TAG_MAX) throw new ValidationError(`${field}.${i}`, `A tag is at most ${TAG_MAX} characters: "${tag.slice(0, 40)}…"`);
    if (tag.includes(',')) throw new ValidationError(`${field}.${i}`, 'A tag may not contain a comma');
    if (CONTROL.test(tag) || /[\r\n\t]/.test(tag)) throw new ValidationError(`${field}.${i}`, 'A tag may not contain control characters');
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
  if (value === null || value.trim().length === 0) return null;
  if (byteLength(value) > DESCRIPTION_MAX_BYTES) throw new ValidationError(field, `A description is at most ${DESCRIPTION_MAX_BYTES / 1024} KB`);
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** hyperparameters and config: a JSON object (not an array or a scalar) of at most 1 MB serialised. */
export function jsonObject(value: unknown, field: string): JsonObject {
  if (!isPlainObject(value)) throw new ValidationError(field, `${field} must be a JSON object`);
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch {
    throw new ValidationError(field, `${field} must be a JSON object`);
  }
  if (byteLength(text) > JSON_MAX_BYTES) throw new ValidationError(field, `${field} is at most 1 MB as JSON`);
  // A round trip drops undefined, functions and the like, so what is stored is exactly what is read back.
  return JSON.parse(text) as JsonObject;
}

export function records(values: readonly { uri: string; name?: string | null }[], field = 'records'): DatasetRecord[] {
  if (values.length > RECORDS_MAX) throw new ValidationError(field, `At most ${RECORDS_MAX} dataset records`);
  return values.map((r, i) => {
    const uri = r.uri.trim();
    if (uri.length === 0 || uri.length > URI_MAX) throw new ValidationError(`${field}.${i}.uri`, `A dataset URI is 1-${URI_MAX} characters`);
    if (!/^[a-z][a-z0-9+.-]*:\S+$/i.test(uri)) throw new ValidationError(`${field}.${i}.uri`, `"${uri.slice(0, 80)}" is not a URI (scheme:rest, e.g. s3://bucket/train.csv)`);
    const name = r.name == null || r.name.trim() === '' ? null : r.name.trim();
    if (name !== null && name.length > NAME_MAX) throw new ValidationError(`${field}.${i}.name`, `A dataset name is at most ${NAME_MAX} characters`);
    return { uri, name };
  });
}

export function sha256(value: string, field = 'sha256'): string {
  const hex = value.trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new ValidationError(field, 'A sha256 is 64 hexadecimal characters');
  return hex;
}

/** The original file name, without any directory part a client may have sent. */
export function filename(value: string, field = 'filename'): string {
  const base = value.split(/[\\/]/).pop()?.trim() ?? '';
  if (base.length === 0 || base === '.' || base === '..') throw new ValidationError(field, 'A file name is required');
  if (base.length > FILENAME_MAX) throw new ValidationError(field, `A file name is at most ${FILENAME_MAX} characters`);
  if (CONTROL.test(base) || /[\r\n\t]/.test(base)) throw new ValidationError(field, 'A file name may not contain control characters');
  return base;
}

export function contentType(value: string, field = 'contentType'): string {
  const type = value.trim().toLowerCase();
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

export function versionNumber(value: number, field = 'number'): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new ValidationError(field, 'A version number is a whole number from 1');
  return value;
}
