/**
 * The closed set of errors a command can end in. Each has a stable code that the GraphQL layer exposes
 * as a member of a mutation's result union; anything that is not a DomainError is a bug and gets masked.
 */
export type ErrorCode =
  | 'VALIDATION'
  | 'NOT_FOUND'
  | 'NAME_TAKEN'
  | 'VERSION_LIMIT_REACHED'
  | 'FORMAT_LIMIT_REACHED'
  | 'UNKNOWN_FORMAT'
  | 'VERSION_PUBLISHED'
  | 'VERSION_NOT_PUBLISHED'
  | 'VERSION_ALIASED'
  | 'CHECKSUM_MISMATCH'
  | 'FILE_TOO_LARGE'
  | 'FORBIDDEN'
  | 'UNAUTHENTICATED'
  | 'CONFLICT';

export abstract class DomainError extends Error {
  abstract readonly code: ErrorCode;
}

export class ValidationError extends DomainError {
  readonly code = 'VALIDATION';
  constructor(
    /** The input field at fault, as a dotted path (`tags.3`, `records.0.uri`). */
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export class NotFoundError extends DomainError {
  readonly code = 'NOT_FOUND';
}

export class NameTakenError extends DomainError {
  readonly code = 'NAME_TAKEN';
  constructor(readonly modelName: string) {
    super(`A model named "${modelName}" already exists in this context`);
  }
}

export class VersionLimitError extends DomainError {
  readonly code = 'VERSION_LIMIT_REACHED';
  constructor(readonly limit: number) {
    super(`This model already has ${limit} versions, the most a model may have; delete one to make room`);
  }
}

export class FormatLimitError extends DomainError {
  readonly code = 'FORMAT_LIMIT_REACHED';
  constructor(readonly limit: number) {
    super(`This version already has ${limit} formats, the most a version may have`);
  }
}

export class UnknownFormatError extends DomainError {
  readonly code = 'UNKNOWN_FORMAT';
  constructor(
    readonly format: string,
    readonly allowed: readonly string[],
  ) {
    super(`Unknown format "${format}"; the formats are: ${allowed.join(', ')}`);
  }
}

export class VersionPublishedError extends DomainError {
  readonly code = 'VERSION_PUBLISHED';
  constructor(readonly number: number) {
    super(`Version ${number} is published and can no longer change`);
  }
}

/** An alias points only at a published version: a deployment never follows something that can still change. */
export class VersionNotPublishedError extends DomainError {
  readonly code = 'VERSION_NOT_PUBLISHED';
  constructor(readonly number: number) {
    super(`Version ${number} is a draft; an alias points only at a published version (publish it first)`);
  }
}

/** A version that aliases point at is what deployments follow: it cannot be deleted until they point elsewhere. */
export class VersionAliasedError extends DomainError {
  readonly code = 'VERSION_ALIASED';
  constructor(
    readonly number: number,
    readonly aliases: readonly string[],
  ) {
    super(`Version ${number} is what ${aliases.map((a) => `"${a}"`).join(', ')} ${aliases.length === 1 ? 'points' : 'point'} at; move or remove ${aliases.length === 1 ? 'that alias' : 'those aliases'} first`);
  }
}

/** The stream moved on between read and append more often than the handler retries. */
export class ConflictError extends DomainError {
  readonly code = 'CONFLICT';
}

export class ChecksumMismatchError extends DomainError {
  readonly code = 'CHECKSUM_MISMATCH';
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`The file's sha256 is ${actual}, not the ${expected} that was sent; nothing was stored`);
  }
}

export class FileTooLargeError extends DomainError {
  readonly code = 'FILE_TOO_LARGE';
  constructor(readonly limit: number) {
    super(`The file is larger than the limit of ${limit} bytes`);
  }
}

/** The caller may see the model but not do this to it. */
export class ForbiddenError extends DomainError {
  readonly code = 'FORBIDDEN';
}
