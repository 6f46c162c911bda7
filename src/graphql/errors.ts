import {
  ChecksumMismatchError,
  ConflictError,
  DomainError,
  type ErrorCode,
  FileTooLargeError,
  ForbiddenError,
  FormatLimitError,
  NameTakenError,
  NotFoundError,
  UnknownFormatError,
  ValidationError,
  VersionAliasedError,
  VersionLimitError,
  VersionNotPublishedError,
  VersionPublishedError,
} from '../domain/errors.ts';
import { builder } from './builder.ts';

/**
 * The GraphQL face of the domain errors: each is a member of the result unions of the mutations that can
 * end in it, and implements `Error`. Anything else a resolver throws is masked by Yoga.
 */
const ERROR_CODES = [
  'VALIDATION',
  'NOT_FOUND',
  'NAME_TAKEN',
  'VERSION_LIMIT_REACHED',
  'FORMAT_LIMIT_REACHED',
  'UNKNOWN_FORMAT',
  'VERSION_PUBLISHED',
  'VERSION_NOT_PUBLISHED',
  'VERSION_ALIASED',
  'CHECKSUM_MISMATCH',
  'FILE_TOO_LARGE',
  'FORBIDDEN',
  'UNAUTHENTICATED',
  'CONFLICT',
] as const satisfies readonly ErrorCode[];

export const ErrorCodeEnum = builder.enumType('ErrorCode', { values: ERROR_CODES });

export const ErrorInterface = builder.interfaceRef<DomainError>('Error').implement({
  description: 'Every expected failure: a rule the request broke, or something it named that is not there.',
  fields: (t) => ({
    message: t.exposeString('message'),
    code: t.field({ type: ErrorCodeEnum, resolve: (e) => e.code }),
  }),
});

const interfaces = [ErrorInterface];

builder.objectType(ValidationError, {
  name: 'ValidationError',
  description: 'An input broke a rule; `field` names it (a dotted path such as `tags.3`).',
  interfaces,
  fields: (t) => ({ field: t.exposeString('field') }),
});
builder.objectType(NotFoundError, { name: 'NotFoundError', description: 'The model, version or format named is not there.', interfaces });
builder.objectType(NameTakenError, {
  name: 'NameTakenError',
  description: 'Another model in this context has this name (case-insensitively).',
  interfaces,
  fields: (t) => ({ name: t.exposeString('modelName') }),
});
builder.objectType(VersionLimitError, {
  name: 'VersionLimitError',
  description: 'The model has as many versions as it may have.',
  interfaces,
  fields: (t) => ({ limit: t.exposeInt('limit') }),
});
builder.objectType(FormatLimitError, {
  name: 'FormatLimitError',
  description: 'The version has as many formats as it may have.',
  interfaces,
  fields: (t) => ({ limit: t.exposeInt('limit') }),
});
builder.objectType(UnknownFormatError, {
  name: 'UnknownFormatError',
  description: 'The format id is not one of the configured formats.',
  interfaces,
  fields: (t) => ({ format: t.exposeString('format'), allowed: t.stringList({ resolve: (e) => [...e.allowed] }) }),
});
builder.objectType(VersionPublishedError, {
  name: 'VersionPublishedError',
  description: 'The version is published: its settings and files can no longer change.',
  interfaces,
  fields: (t) => ({ number: t.exposeInt('number') }),
});
builder.objectType(VersionNotPublishedError, {
  name: 'VersionNotPublishedError',
  description: 'The version is a draft: an alias points only at a published version, which can no longer change.',
  interfaces,
  fields: (t) => ({ number: t.exposeInt('number') }),
});
builder.objectType(VersionAliasedError, {
  name: 'VersionAliasedError',
  description: 'Aliases point at the version (deployments follow it): move or remove them before deleting it.',
  interfaces,
  fields: (t) => ({ number: t.exposeInt('number'), aliases: t.stringList({ resolve: (e) => [...e.aliases] }) }),
});
builder.objectType(ConflictError, { name: 'ConflictError', description: 'The model kept changing while the request ran; try again.', interfaces });
builder.objectType(ChecksumMismatchError, {
  name: 'ChecksumMismatchError',
  description: "The file's sha256 differs from the one sent with it; nothing was stored.",
  interfaces,
  fields: (t) => ({ expected: t.exposeString('expected'), actual: t.exposeString('actual') }),
});
builder.objectType(FileTooLargeError, {
  name: 'FileTooLargeError',
  description: 'The file is larger than the configured limit.',
  interfaces,
  fields: (t) => ({ limit: t.float({ resolve: (e) => e.limit }) }),
});

builder.objectType(ForbiddenError, {
  name: 'ForbiddenError',
  description: 'The caller may see this but not do this: its roles in the context lack the permission.',
  interfaces,
});

/** The errors every command on an existing model can end in. */
export const modelCommandErrors = [ValidationError, NotFoundError, ConflictError, ForbiddenError];
