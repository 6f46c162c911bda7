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
    "\n  fragment ClientModel on Model {\n    id\n    name\n    description\n    tags\n    createdAt\n    updatedAt\n    createdBy\n    versionCount\n    latestVersion {\n      number\n      status\n    }\n  }\n": typeof types.ClientModelFragmentDoc,
    "\n  fragment ClientVersion on Version {\n    number\n    status\n    description\n    tags\n    hyperparameters\n    config\n    records {\n      uri\n      name\n    }\n    formats {\n      id\n      filename\n      size\n      sha256\n      contentType\n      downloadUrl\n      uploadedAt\n      uploadedBy\n    }\n    createdAt\n    createdBy\n    publishedAt\n    publishedBy\n  }\n": typeof types.ClientVersionFragmentDoc,
    "\n  query ClientMe {\n    me {\n      principal {\n        id\n        name\n      }\n      context {\n        id\n        name\n      }\n      roles\n    }\n  }\n": typeof types.ClientMeDocument,
    "\n  query ClientListModels($first: Int, $after: String, $search: String, $tags: [String!]) {\n    models(first: $first, after: $after, search: $search, tags: $tags) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          ...ClientModel\n        }\n      }\n    }\n  }\n": typeof types.ClientListModelsDocument,
    "\n  query ClientGetModel($id: ID, $name: String) {\n    model(id: $id, name: $name) {\n      ...ClientModel\n      versions(first: 100) {\n        edges {\n          node {\n            ...ClientVersion\n          }\n        }\n      }\n    }\n  }\n": typeof types.ClientGetModelDocument,
    "\n  query ClientListVersions($id: ID, $name: String, $first: Int, $after: String) {\n    model(id: $id, name: $name) {\n      id\n      versions(first: $first, after: $after) {\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        edges {\n          node {\n            ...ClientVersion\n          }\n        }\n      }\n    }\n  }\n": typeof types.ClientListVersionsDocument,
    "\n  query ClientGetVersion($id: ID, $name: String, $number: Int!) {\n    model(id: $id, name: $name) {\n      id\n      version(number: $number) {\n        ...ClientVersion\n      }\n    }\n  }\n": typeof types.ClientGetVersionDocument,
    "\n  query ClientHistory($id: ID!, $first: Int, $after: String) {\n    model(id: $id) {\n      history(first: $first, after: $after) {\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        edges {\n          node {\n            position\n            type\n            recordedAt\n            actor\n            data\n          }\n        }\n      }\n    }\n  }\n": typeof types.ClientHistoryDocument,
    "\n  mutation ClientCreateModel($input: CreateModelInput!) {\n    createModel(input: $input) {\n      __typename\n      ... on CreateModelSuccess {\n        model {\n          ...ClientModel\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": typeof types.ClientCreateModelDocument,
    "\n  mutation ClientUpdateModel($input: UpdateModelInput!) {\n    updateModel(input: $input) {\n      __typename\n      ... on UpdateModelSuccess {\n        model {\n          ...ClientModel\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": typeof types.ClientUpdateModelDocument,
    "\n  mutation ClientDeleteModel($id: ID!) {\n    deleteModel(id: $id) {\n      __typename\n      ... on DeleteModelSuccess {\n        id\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": typeof types.ClientDeleteModelDocument,
    "\n  mutation ClientCreateVersion($input: CreateVersionInput!) {\n    createVersion(input: $input) {\n      __typename\n      ... on CreateVersionSuccess {\n        version {\n          ...ClientVersion\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": typeof types.ClientCreateVersionDocument,
    "\n  mutation ClientUpdateVersion($input: UpdateVersionInput!) {\n    updateVersion(input: $input) {\n      __typename\n      ... on UpdateVersionSuccess {\n        version {\n          ...ClientVersion\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": typeof types.ClientUpdateVersionDocument,
    "\n  mutation ClientPublishVersion($modelId: ID!, $number: Int!) {\n    publishVersion(modelId: $modelId, number: $number) {\n      __typename\n      ... on PublishVersionSuccess {\n        version {\n          ...ClientVersion\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": typeof types.ClientPublishVersionDocument,
    "\n  mutation ClientDeleteVersion($modelId: ID!, $number: Int!) {\n    deleteVersion(modelId: $modelId, number: $number) {\n      __typename\n      ... on DeleteVersionSuccess {\n        model {\n          id\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": typeof types.ClientDeleteVersionDocument,
    "\n  mutation ClientUploadFormat($input: UploadFormatInput!) {\n    uploadFormat(input: $input) {\n      __typename\n      ... on UploadFormatSuccess {\n        format {\n          id\n          filename\n          size\n          sha256\n          contentType\n          downloadUrl\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": typeof types.ClientUploadFormatDocument,
};
const documents: Documents = {
    "\n  fragment ClientModel on Model {\n    id\n    name\n    description\n    tags\n    createdAt\n    updatedAt\n    createdBy\n    versionCount\n    latestVersion {\n      number\n      status\n    }\n  }\n": types.ClientModelFragmentDoc,
    "\n  fragment ClientVersion on Version {\n    number\n    status\n    description\n    tags\n    hyperparameters\n    config\n    records {\n      uri\n      name\n    }\n    formats {\n      id\n      filename\n      size\n      sha256\n      contentType\n      downloadUrl\n      uploadedAt\n      uploadedBy\n    }\n    createdAt\n    createdBy\n    publishedAt\n    publishedBy\n  }\n": types.ClientVersionFragmentDoc,
    "\n  query ClientMe {\n    me {\n      principal {\n        id\n        name\n      }\n      context {\n        id\n        name\n      }\n      roles\n    }\n  }\n": types.ClientMeDocument,
    "\n  query ClientListModels($first: Int, $after: String, $search: String, $tags: [String!]) {\n    models(first: $first, after: $after, search: $search, tags: $tags) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          ...ClientModel\n        }\n      }\n    }\n  }\n": types.ClientListModelsDocument,
    "\n  query ClientGetModel($id: ID, $name: String) {\n    model(id: $id, name: $name) {\n      ...ClientModel\n      versions(first: 100) {\n        edges {\n          node {\n            ...ClientVersion\n          }\n        }\n      }\n    }\n  }\n": types.ClientGetModelDocument,
    "\n  query ClientListVersions($id: ID, $name: String, $first: Int, $after: String) {\n    model(id: $id, name: $name) {\n      id\n      versions(first: $first, after: $after) {\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        edges {\n          node {\n            ...ClientVersion\n          }\n        }\n      }\n    }\n  }\n": types.ClientListVersionsDocument,
    "\n  query ClientGetVersion($id: ID, $name: String, $number: Int!) {\n    model(id: $id, name: $name) {\n      id\n      version(number: $number) {\n        ...ClientVersion\n      }\n    }\n  }\n": types.ClientGetVersionDocument,
    "\n  query ClientHistory($id: ID!, $first: Int, $after: String) {\n    model(id: $id) {\n      history(first: $first, after: $after) {\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        edges {\n          node {\n            position\n            type\n            recordedAt\n            actor\n            data\n          }\n        }\n      }\n    }\n  }\n": types.ClientHistoryDocument,
    "\n  mutation ClientCreateModel($input: CreateModelInput!) {\n    createModel(input: $input) {\n      __typename\n      ... on CreateModelSuccess {\n        model {\n          ...ClientModel\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": types.ClientCreateModelDocument,
    "\n  mutation ClientUpdateModel($input: UpdateModelInput!) {\n    updateModel(input: $input) {\n      __typename\n      ... on UpdateModelSuccess {\n        model {\n          ...ClientModel\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": types.ClientUpdateModelDocument,
    "\n  mutation ClientDeleteModel($id: ID!) {\n    deleteModel(id: $id) {\n      __typename\n      ... on DeleteModelSuccess {\n        id\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": types.ClientDeleteModelDocument,
    "\n  mutation ClientCreateVersion($input: CreateVersionInput!) {\n    createVersion(input: $input) {\n      __typename\n      ... on CreateVersionSuccess {\n        version {\n          ...ClientVersion\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": types.ClientCreateVersionDocument,
    "\n  mutation ClientUpdateVersion($input: UpdateVersionInput!) {\n    updateVersion(input: $input) {\n      __typename\n      ... on UpdateVersionSuccess {\n        version {\n          ...ClientVersion\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": types.ClientUpdateVersionDocument,
    "\n  mutation ClientPublishVersion($modelId: ID!, $number: Int!) {\n    publishVersion(modelId: $modelId, number: $number) {\n      __typename\n      ... on PublishVersionSuccess {\n        version {\n          ...ClientVersion\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": types.ClientPublishVersionDocument,
    "\n  mutation ClientDeleteVersion($modelId: ID!, $number: Int!) {\n    deleteVersion(modelId: $modelId, number: $number) {\n      __typename\n      ... on DeleteVersionSuccess {\n        model {\n          id\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": types.ClientDeleteVersionDocument,
    "\n  mutation ClientUploadFormat($input: UploadFormatInput!) {\n    uploadFormat(input: $input) {\n      __typename\n      ... on UploadFormatSuccess {\n        format {\n          id\n          filename\n          size\n          sha256\n          contentType\n          downloadUrl\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": types.ClientUploadFormatDocument,
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
export function graphql(source: "\n  fragment ClientModel on Model {\n    id\n    name\n    description\n    tags\n    createdAt\n    updatedAt\n    createdBy\n    versionCount\n    latestVersion {\n      number\n      status\n    }\n  }\n"): (typeof documents)["\n  fragment ClientModel on Model {\n    id\n    name\n    description\n    tags\n    createdAt\n    updatedAt\n    createdBy\n    versionCount\n    latestVersion {\n      number\n      status\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ClientVersion on Version {\n    number\n    status\n    description\n    tags\n    hyperparameters\n    config\n    records {\n      uri\n      name\n    }\n    formats {\n      id\n      filename\n      size\n      sha256\n      contentType\n      downloadUrl\n      uploadedAt\n      uploadedBy\n    }\n    createdAt\n    createdBy\n    publishedAt\n    publishedBy\n  }\n"): (typeof documents)["\n  fragment ClientVersion on Version {\n    number\n    status\n    description\n    tags\n    hyperparameters\n    config\n    records {\n      uri\n      name\n    }\n    formats {\n      id\n      filename\n      size\n      sha256\n      contentType\n      downloadUrl\n      uploadedAt\n      uploadedBy\n    }\n    createdAt\n    createdBy\n    publishedAt\n    publishedBy\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ClientMe {\n    me {\n      principal {\n        id\n        name\n      }\n      context {\n        id\n        name\n      }\n      roles\n    }\n  }\n"): (typeof documents)["\n  query ClientMe {\n    me {\n      principal {\n        id\n        name\n      }\n      context {\n        id\n        name\n      }\n      roles\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ClientListModels($first: Int, $after: String, $search: String, $tags: [String!]) {\n    models(first: $first, after: $after, search: $search, tags: $tags) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          ...ClientModel\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ClientListModels($first: Int, $after: String, $search: String, $tags: [String!]) {\n    models(first: $first, after: $after, search: $search, tags: $tags) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          ...ClientModel\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ClientGetModel($id: ID, $name: String) {\n    model(id: $id, name: $name) {\n      ...ClientModel\n      versions(first: 100) {\n        edges {\n          node {\n            ...ClientVersion\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ClientGetModel($id: ID, $name: String) {\n    model(id: $id, name: $name) {\n      ...ClientModel\n      versions(first: 100) {\n        edges {\n          node {\n            ...ClientVersion\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ClientListVersions($id: ID, $name: String, $first: Int, $after: String) {\n    model(id: $id, name: $name) {\n      id\n      versions(first: $first, after: $after) {\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        edges {\n          node {\n            ...ClientVersion\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ClientListVersions($id: ID, $name: String, $first: Int, $after: String) {\n    model(id: $id, name: $name) {\n      id\n      versions(first: $first, after: $after) {\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        edges {\n          node {\n            ...ClientVersion\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ClientGetVersion($id: ID, $name: String, $number: Int!) {\n    model(id: $id, name: $name) {\n      id\n      version(number: $number) {\n        ...ClientVersion\n      }\n    }\n  }\n"): (typeof documents)["\n  query ClientGetVersion($id: ID, $name: String, $number: Int!) {\n    model(id: $id, name: $name) {\n      id\n      version(number: $number) {\n        ...ClientVersion\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ClientHistory($id: ID!, $first: Int, $after: String) {\n    model(id: $id) {\n      history(first: $first, after: $after) {\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        edges {\n          node {\n            position\n            type\n            recordedAt\n            actor\n            data\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ClientHistory($id: ID!, $first: Int, $after: String) {\n    model(id: $id) {\n      history(first: $first, after: $after) {\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        edges {\n          node {\n            position\n            type\n            recordedAt\n            actor\n            data\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ClientCreateModel($input: CreateModelInput!) {\n    createModel(input: $input) {\n      __typename\n      ... on CreateModelSuccess {\n        model {\n          ...ClientModel\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ClientCreateModel($input: CreateModelInput!) {\n    createModel(input: $input) {\n      __typename\n      ... on CreateModelSuccess {\n        model {\n          ...ClientModel\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ClientUpdateModel($input: UpdateModelInput!) {\n    updateModel(input: $input) {\n      __typename\n      ... on UpdateModelSuccess {\n        model {\n          ...ClientModel\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ClientUpdateModel($input: UpdateModelInput!) {\n    updateModel(input: $input) {\n      __typename\n      ... on UpdateModelSuccess {\n        model {\n          ...ClientModel\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ClientDeleteModel($id: ID!) {\n    deleteModel(id: $id) {\n      __typename\n      ... on DeleteModelSuccess {\n        id\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ClientDeleteModel($id: ID!) {\n    deleteModel(id: $id) {\n      __typename\n      ... on DeleteModelSuccess {\n        id\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ClientCreateVersion($input: CreateVersionInput!) {\n    createVersion(input: $input) {\n      __typename\n      ... on CreateVersionSuccess {\n        version {\n          ...ClientVersion\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ClientCreateVersion($input: CreateVersionInput!) {\n    createVersion(input: $input) {\n      __typename\n      ... on CreateVersionSuccess {\n        version {\n          ...ClientVersion\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ClientUpdateVersion($input: UpdateVersionInput!) {\n    updateVersion(input: $input) {\n      __typename\n      ... on UpdateVersionSuccess {\n        version {\n          ...ClientVersion\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ClientUpdateVersion($input: UpdateVersionInput!) {\n    updateVersion(input: $input) {\n      __typename\n      ... on UpdateVersionSuccess {\n        version {\n          ...ClientVersion\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ClientPublishVersion($modelId: ID!, $number: Int!) {\n    publishVersion(modelId: $modelId, number: $number) {\n      __typename\n      ... on PublishVersionSuccess {\n        version {\n          ...ClientVersion\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ClientPublishVersion($modelId: ID!, $number: Int!) {\n    publishVersion(modelId: $modelId, number: $number) {\n      __typename\n      ... on PublishVersionSuccess {\n        version {\n          ...ClientVersion\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ClientDeleteVersion($modelId: ID!, $number: Int!) {\n    deleteVersion(modelId: $modelId, number: $number) {\n      __typename\n      ... on DeleteVersionSuccess {\n        model {\n          id\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ClientDeleteVersion($modelId: ID!, $number: Int!) {\n    deleteVersion(modelId: $modelId, number: $number) {\n      __typename\n      ... on DeleteVersionSuccess {\n        model {\n          id\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ClientUploadFormat($input: UploadFormatInput!) {\n    uploadFormat(input: $input) {\n      __typename\n      ... on UploadFormatSuccess {\n        format {\n          id\n          filename\n          size\n          sha256\n          contentType\n          downloadUrl\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ClientUploadFormat($input: UploadFormatInput!) {\n    uploadFormat(input: $input) {\n      __typename\n      ... on UploadFormatSuccess {\n        format {\n          id\n          filename\n          size\n          sha256\n          contentType\n          downloadUrl\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;