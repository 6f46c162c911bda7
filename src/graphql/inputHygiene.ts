import SchemaBuilder, { BasePlugin, type PothosOutputFieldConfig, type SchemaTypes } from '@pothos/core';
import {
  type GraphQLArgument,
  GraphQLError,
  type GraphQLFieldResolver,
  type GraphQLInputType,
  type GraphQLResolveInfo,
  getNullableType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
} from 'graphql';
import { ValidationError } from '../domain/errors.ts';
import * as rules from '../domain/rules.ts';

/**
 * The boundary guard: before any resolver runs, every String and ID argument (at any depth of an input object
 * or list) must be text, and every JSON argument JSON the rules accept (nesting, exact integers, keys). So
 * nothing reaches PostgreSQL as a NUL (which it refuses: a 500) or is silently changed (a lone surrogate is
 * stored as U+FFFD), whatever the resolver does with it. The rules are the domain's (src/domain/rules.ts);
 * the commands apply them again, with the names and tags rules on top.
 *
 * A refusal is the field's typed ValidationError where its result union has one (every mutation), else a
 * GraphQL error with `extensions: { code: 'VALIDATION', field }`. `field` is the argument's path, dotted, the
 * `input` wrapper of a mutation left out as the commands' errors do (`tags.2`, `records.0.uri`, `search`).
 */

const pluginName = 'inputHygiene';
export default pluginName;

const join = (path: string, name: string | number) => (path === '' ? String(name) : `${path}.${name}`);

function checkValue(type: GraphQLInputType, value: unknown, path: string): void {
  if (value == null) return;
  if (isNonNullType(type)) return checkValue(type.ofType, value, path);
  if (isListType(type)) {
    if (Array.isArray(value)) value.forEach((item, i) => checkValue(type.ofType, item, join(path, i)));
    return;
  }
  if (isInputObjectType(type)) {
    const fields = type.getFields();
    for (const [name, item] of Object.entries(value as object)) {
      const field = fields[name];
      if (field) checkValue(field.type, item, join(path, name));
    }
    return;
  }
  if (!isScalarType(type)) return;
  if ((type.name === 'String' || type.name === 'ID') && typeof value === 'string') rules.text(value, path);
  else if (type.name === 'JSON') rules.checkJson(value, path);
}

/** Throws a ValidationError for the first argument that breaks a rule. */
export function checkArguments(definitions: readonly GraphQLArgument[], args: Record<string, unknown>): void {
  for (const definition of definitions) {
    const wrapper = definition.name === 'input' && isInputObjectType(getNullableType(definition.type));
    checkValue(definition.type, args[definition.name], wrapper ? '' : definition.name);
  }
}

const asGraphQLError = (error: ValidationError) => new GraphQLError(error.message, { extensions: { code: 'VALIDATION', field: error.field } });

function guard(typed: boolean) {
  let definitions: readonly GraphQLArgument[] | undefined;
  return (args: object, info: GraphQLResolveInfo) => {
    definitions ??= info.parentType.getFields()[info.fieldName]?.args ?? [];
    try {
      checkArguments(definitions, args as Record<string, unknown>);
    } catch (error) {
      if (error instanceof ValidationError && !typed) throw asGraphQLError(error);
      throw error;
    }
  };
}

export class InputHygienePlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override wrapResolve(
    resolver: GraphQLFieldResolver<unknown, Types['Context'], object>,
    fieldConfig: PothosOutputFieldConfig<Types>,
  ): GraphQLFieldResolver<unknown, Types['Context'], object> {
    // A subscription's arguments are checked once, when it starts (wrapSubscribe), not with every event.
    if (Object.keys(fieldConfig.args).length === 0 || fieldConfig.kind === 'Subscription') return resolver;
    // Registered after the errors plugin, so this runs inside its wrapper: a ValidationError becomes the union member.
    const errorTypes = fieldConfig.extensions?.pothosErrors as readonly unknown[] | undefined;
    const check = guard(errorTypes?.includes(ValidationError) ?? false);
    return (source, args, context, info) => {
      check(args, info);
      return resolver(source, args, context, info);
    };
  }

  override wrapSubscribe(
    subscribe: GraphQLFieldResolver<unknown, Types['Context'], object> | undefined,
    fieldConfig: PothosOutputFieldConfig<Types>,
  ): GraphQLFieldResolver<unknown, Types['Context'], object> | undefined {
    if (!subscribe || Object.keys(fieldConfig.args).length === 0) return subscribe;
    const check = guard(false);
    return (source, args, context, info) => {
      check(args, info);
      return subscribe(source, args, context, info);
    };
  }
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      inputHygiene: InputHygienePlugin<Types>;
    }
  }
}

SchemaBuilder.registerPlugin(pluginName, InputHygienePlugin);
