/* eslint-disable */
import * as types from './graphql.ts';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query DashboardMe {\n    me {\n      principal {\n        name\n      }\n      context {\n        id\n        name\n      }\n      contexts {\n        id\n        name\n      }\n      permissions\n    }\n  }\n": typeof types.DashboardMeDocument,
    "\n  fragment DashboardHistoryEvent on ModelEvent {\n    __typename\n    id\n    type\n    actor\n    recordedAt\n    ... on ModelCreatedEvent {\n      name\n    }\n    ... on ModelUpdatedEvent {\n      changed\n    }\n    ... on VersionCreatedEvent {\n      number\n    }\n    ... on VersionUpdatedEvent {\n      number\n      changed\n    }\n    ... on VersionPublishedEvent {\n      number\n    }\n    ... on VersionDeletedEvent {\n      number\n    }\n    ... on FormatUploadedEvent {\n      number\n      format\n      size\n      replaced\n    }\n    ... on FormatDeletedEvent {\n      number\n      format\n    }\n    ... on EvaluationRecordedEvent {\n      number\n      dataset {\n        uri\n        name\n      }\n    }\n    ... on AliasSetEvent {\n      alias\n      number\n      previousNumber\n    }\n    ... on AliasRemovedEvent {\n      alias\n      number\n    }\n  }\n": typeof types.DashboardHistoryEventFragmentDoc,
    "\n  query DashboardVersion($id: ID!, $number: Int!) {\n    formats\n    model(id: $id) {\n      id\n      version(number: $number) {\n        number\n        status\n        description\n        tags\n        hyperparameters\n        config\n        records {\n          uri\n          name\n        }\n        publishedAt\n        publishedBy\n        formats {\n          id\n          filename\n          size\n          sha256\n          downloadUrl\n        }\n      }\n    }\n  }\n": typeof types.DashboardVersionDocument,
    "\n  mutation DashboardPublish($id: ID!, $number: Int!) {\n    publishVersion(modelId: $id, number: $number) {\n      __typename\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.DashboardPublishDocument,
    "\n  mutation DashboardUpdateVersion($input: UpdateVersionInput!) {\n    updateVersion(input: $input) {\n      __typename\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.DashboardUpdateVersionDocument,
    "\n  mutation DashboardDeleteFormat($id: ID!, $number: Int!, $format: String!) {\n    deleteFormat(modelId: $id, number: $number, format: $format) {\n      __typename\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.DashboardDeleteFormatDocument,
    "\n  query RecordModel($id: ID, $name: String) {\n    formats\n    model(id: $id, name: $name) {\n      id\n      name\n      description\n      tags\n      createdAt\n      createdBy\n      updatedAt\n      versionCount\n      latestVersion {\n        number\n        status\n      }\n      lastEvent: history(last: 1) {\n        edges {\n          node {\n            actor\n            recordedAt\n          }\n        }\n      }\n    }\n  }\n": typeof types.RecordModelDocument,
    "\n  mutation DashboardCreateModel($input: CreateModelInput!) {\n    createModel(input: $input) {\n      __typename\n      ... on CreateModelSuccess {\n        model {\n          id\n          name\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on ValidationError {\n        field\n      }\n    }\n  }\n": typeof types.DashboardCreateModelDocument,
    "\n  query DashboardModels($first: Int, $after: String, $search: String, $tags: [String!], $orderBy: ModelOrder) {\n    models(first: $first, after: $after, search: $search, tags: $tags, orderBy: $orderBy) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          name\n          tags\n          updatedAt\n          versionCount\n          latestVersion {\n            number\n            status\n          }\n        }\n      }\n    }\n  }\n": typeof types.DashboardModelsDocument,
    "\n  query DashboardModelCursors($first: Int, $after: String, $search: String, $tags: [String!], $orderBy: ModelOrder) {\n    models(first: $first, after: $after, search: $search, tags: $tags, orderBy: $orderBy) {\n      edges {\n        cursor\n      }\n    }\n  }\n": typeof types.DashboardModelCursorsDocument,
};
const documents: Documents = {
    "\n  query DashboardMe {\n    me {\n      principal {\n        name\n      }\n      context {\n        id\n        name\n      }\n      contexts {\n        id\n        name\n      }\n      permissions\n    }\n  }\n": types.DashboardMeDocument,
    "\n  fragment DashboardHistoryEvent on ModelEvent {\n    __typename\n    id\n    type\n    actor\n    recordedAt\n    ... on ModelCreatedEvent {\n      name\n    }\n    ... on ModelUpdatedEvent {\n      changed\n    }\n    ... on VersionCreatedEvent {\n      number\n    }\n    ... on VersionUpdatedEvent {\n      number\n      changed\n    }\n    ... on VersionPublishedEvent {\n      number\n    }\n    ... on VersionDeletedEvent {\n      number\n    }\n    ... on FormatUploadedEvent {\n      number\n      format\n      size\n      replaced\n    }\n    ... on FormatDeletedEvent {\n      number\n      format\n    }\n    ... on EvaluationRecordedEvent {\n      number\n      dataset {\n        uri\n        name\n      }\n    }\n    ... on AliasSetEvent {\n      alias\n      number\n      previousNumber\n    }\n    ... on AliasRemovedEvent {\n      alias\n      number\n    }\n  }\n": types.DashboardHistoryEventFragmentDoc,
    "\n  query DashboardVersion($id: ID!, $number: Int!) {\n    formats\n    model(id: $id) {\n      id\n      version(number: $number) {\n        number\n        status\n        description\n        tags\n        hyperparameters\n        config\n        records {\n          uri\n          name\n        }\n        publishedAt\n        publishedBy\n        formats {\n          id\n          filename\n          size\n          sha256\n          downloadUrl\n        }\n      }\n    }\n  }\n": types.DashboardVersionDocument,
    "\n  mutation DashboardPublish($id: ID!, $number: Int!) {\n    publishVersion(modelId: $id, number: $number) {\n      __typename\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.DashboardPublishDocument,
    "\n  mutation DashboardUpdateVersion($input: UpdateVersionInput!) {\n    updateVersion(input: $input) {\n      __typename\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.DashboardUpdateVersionDocument,
    "\n  mutation DashboardDeleteFormat($id: ID!, $number: Int!, $format: String!) {\n    deleteFormat(modelId: $id, number: $number, format: $format) {\n      __typename\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.DashboardDeleteFormatDocument,
    "\n  query RecordModel($id: ID, $name: String) {\n    formats\n    model(id: $id, name: $name) {\n      id\n      name\n      description\n      tags\n      createdAt\n      createdBy\n      updatedAt\n      versionCount\n      latestVersion {\n        number\n        status\n      }\n      lastEvent: history(last: 1) {\n        edges {\n          node {\n            actor\n            recordedAt\n          }\n        }\n      }\n    }\n  }\n": types.RecordModelDocument,
    "\n  mutation DashboardCreateModel($input: CreateModelInput!) {\n    createModel(input: $input) {\n      __typename\n      ... on CreateModelSuccess {\n        model {\n          id\n          name\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on ValidationError {\n        field\n      }\n    }\n  }\n": types.DashboardCreateModelDocument,
    "\n  query DashboardModels($first: Int, $after: String, $search: String, $tags: [String!], $orderBy: ModelOrder) {\n    models(first: $first, after: $after, search: $search, tags: $tags, orderBy: $orderBy) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          name\n          tags\n          updatedAt\n          versionCount\n          latestVersion {\n            number\n            status\n          }\n        }\n      }\n    }\n  }\n": types.DashboardModelsDocument,
    "\n  query DashboardModelCursors($first: Int, $after: String, $search: String, $tags: [String!], $orderBy: ModelOrder) {\n    models(first: $first, after: $after, search: $search, tags: $tags, orderBy: $orderBy) {\n      edges {\n        cursor\n      }\n    }\n  }\n": types.DashboardModelCursorsDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DashboardMe {\n    me {\n      principal {\n        name\n      }\n      context {\n        id\n        name\n      }\n      contexts {\n        id\n        name\n      }\n      permissions\n    }\n  }\n"): (typeof documents)["\n  query DashboardMe {\n    me {\n      principal {\n        name\n      }\n      context {\n        id\n        name\n      }\n      contexts {\n        id\n        name\n      }\n      permissions\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment DashboardHistoryEvent on ModelEvent {\n    __typename\n    id\n    type\n    actor\n    recordedAt\n    ... on ModelCreatedEvent {\n      name\n    }\n    ... on ModelUpdatedEvent {\n      changed\n    }\n    ... on VersionCreatedEvent {\n      number\n    }\n    ... on VersionUpdatedEvent {\n      number\n      changed\n    }\n    ... on VersionPublishedEvent {\n      number\n    }\n    ... on VersionDeletedEvent {\n      number\n    }\n    ... on FormatUploadedEvent {\n      number\n      format\n      size\n      replaced\n    }\n    ... on FormatDeletedEvent {\n      number\n      format\n    }\n    ... on EvaluationRecordedEvent {\n      number\n      dataset {\n        uri\n        name\n      }\n    }\n    ... on AliasSetEvent {\n      alias\n      number\n      previousNumber\n    }\n    ... on AliasRemovedEvent {\n      alias\n      number\n    }\n  }\n"): (typeof documents)["\n  fragment DashboardHistoryEvent on ModelEvent {\n    __typename\n    id\n    type\n    actor\n    recordedAt\n    ... on ModelCreatedEvent {\n      name\n    }\n    ... on ModelUpdatedEvent {\n      changed\n    }\n    ... on VersionCreatedEvent {\n      number\n    }\n    ... on VersionUpdatedEvent {\n      number\n      changed\n    }\n    ... on VersionPublishedEvent {\n      number\n    }\n    ... on VersionDeletedEvent {\n      number\n    }\n    ... on FormatUploadedEvent {\n      number\n      format\n      size\n      replaced\n    }\n    ... on FormatDeletedEvent {\n      number\n      format\n    }\n    ... on EvaluationRecordedEvent {\n      number\n      dataset {\n        uri\n        name\n      }\n    }\n    ... on AliasSetEvent {\n      alias\n      number\n      previousNumber\n    }\n    ... on AliasRemovedEvent {\n      alias\n      number\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DashboardVersion($id: ID!, $number: Int!) {\n    formats\n    model(id: $id) {\n      id\n      version(number: $number) {\n        number\n        status\n        description\n        tags\n        hyperparameters\n        config\n        records {\n          uri\n          name\n        }\n        publishedAt\n        publishedBy\n        formats {\n          id\n          filename\n          size\n          sha256\n          downloadUrl\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query DashboardVersion($id: ID!, $number: Int!) {\n    formats\n    model(id: $id) {\n      id\n      version(number: $number) {\n        number\n        status\n        description\n        tags\n        hyperparameters\n        config\n        records {\n          uri\n          name\n        }\n        publishedAt\n        publishedBy\n        formats {\n          id\n          filename\n          size\n          sha256\n          downloadUrl\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DashboardPublish($id: ID!, $number: Int!) {\n    publishVersion(modelId: $id, number: $number) {\n      __typename\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation DashboardPublish($id: ID!, $number: Int!) {\n    publishVersion(modelId: $id, number: $number) {\n      __typename\n      ... on Error {\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DashboardUpdateVersion($input: UpdateVersionInput!) {\n    updateVersion(input: $input) {\n      __typename\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation DashboardUpdateVersion($input: UpdateVersionInput!) {\n    updateVersion(input: $input) {\n      __typename\n      ... on Error {\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DashboardDeleteFormat($id: ID!, $number: Int!, $format: String!) {\n    deleteFormat(modelId: $id, number: $number, format: $format) {\n      __typename\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation DashboardDeleteFormat($id: ID!, $number: Int!, $format: String!) {\n    deleteFormat(modelId: $id, number: $number, format: $format) {\n      __typename\n      ... on Error {\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RecordModel($id: ID, $name: String) {\n    formats\n    model(id: $id, name: $name) {\n      id\n      name\n      description\n      tags\n      createdAt\n      createdBy\n      updatedAt\n      versionCount\n      latestVersion {\n        number\n        status\n      }\n      lastEvent: history(last: 1) {\n        edges {\n          node {\n            actor\n            recordedAt\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query RecordModel($id: ID, $name: String) {\n    formats\n    model(id: $id, name: $name) {\n      id\n      name\n      description\n      tags\n      createdAt\n      createdBy\n      updatedAt\n      versionCount\n      latestVersion {\n        number\n        status\n      }\n      lastEvent: history(last: 1) {\n        edges {\n          node {\n            actor\n            recordedAt\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DashboardCreateModel($input: CreateModelInput!) {\n    createModel(input: $input) {\n      __typename\n      ... on CreateModelSuccess {\n        model {\n          id\n          name\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on ValidationError {\n        field\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation DashboardCreateModel($input: CreateModelInput!) {\n    createModel(input: $input) {\n      __typename\n      ... on CreateModelSuccess {\n        model {\n          id\n          name\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on ValidationError {\n        field\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DashboardModels($first: Int, $after: String, $search: String, $tags: [String!], $orderBy: ModelOrder) {\n    models(first: $first, after: $after, search: $search, tags: $tags, orderBy: $orderBy) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          name\n          tags\n          updatedAt\n          versionCount\n          latestVersion {\n            number\n            status\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query DashboardModels($first: Int, $after: String, $search: String, $tags: [String!], $orderBy: ModelOrder) {\n    models(first: $first, after: $after, search: $search, tags: $tags, orderBy: $orderBy) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          name\n          tags\n          updatedAt\n          versionCount\n          latestVersion {\n            number\n            status\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DashboardModelCursors($first: Int, $after: String, $search: String, $tags: [String!], $orderBy: ModelOrder) {\n    models(first: $first, after: $after, search: $search, tags: $tags, orderBy: $orderBy) {\n      edges {\n        cursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query DashboardModelCursors($first: Int, $after: String, $search: String, $tags: [String!], $orderBy: ModelOrder) {\n    models(first: $first, after: $after, search: $search, tags: $tags, orderBy: $orderBy) {\n      edges {\n        cursor\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;