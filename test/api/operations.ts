import { graphql } from '../generated/index.ts';

// The operations the API suites run, as typed documents (npm run codegen after changing one).

export const ModelFields = graphql(`
  fragment ModelFields on Model {
    id
    name
    description
    tags
    createdAt
    updatedAt
    createdBy
    versionCount
    latestVersion {
      number
    }
  }
`);

export const VersionFields = graphql(`
  fragment VersionFields on Version {
    number
    status
    description
    tags
    hyperparameters
    config
    records {
      uri
      name
    }
    formats {
      id
      filename
      size
      sha256
      contentType
      downloadUrl
    }
    createdAt
    publishedAt
    publishedBy
    model {
      id
      name
    }
  }
`);

export const CreateModel = graphql(`
  mutation CreateModel($input: CreateModelInput!) {
    createModel(input: $input) {
      __typename
      ... on CreateModelSuccess {
        model {
          ...ModelFields
        }
      }
      ... on Error {
        code
        message
      }
      ... on ValidationError {
        field
      }
      ... on NameTakenError {
        name
      }
    }
  }
`);

export const UpdateModel = graphql(`
  mutation UpdateModel($input: UpdateModelInput!) {
    updateModel(input: $input) {
      __typename
      ... on UpdateModelSuccess {
        model {
          ...ModelFields
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

export const DeleteModel = graphql(`
  mutation DeleteModel($id: ID!) {
    deleteModel(id: $id) {
      __typename
      ... on DeleteModelSuccess {
        id
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

export const CreateVersion = graphql(`
  mutation CreateVersion($input: CreateVersionInput!) {
    createVersion(input: $input) {
      __typename
      ... on CreateVersionSuccess {
        version {
          ...VersionFields
        }
      }
      ... on Error {
        code
        message
      }
      ... on VersionLimitError {
        limit
      }
    }
  }
`);

export const UpdateVersion = graphql(`
  mutation UpdateVersion($input: UpdateVersionInput!) {
    updateVersion(input: $input) {
      __typename
      ... on UpdateVersionSuccess {
        version {
          ...VersionFields
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

export const PublishVersion = graphql(`
  mutation PublishVersion($modelId: ID!, $number: Int!) {
    publishVersion(modelId: $modelId, number: $number) {
      __typename
      ... on PublishVersionSuccess {
        version {
          ...VersionFields
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

export const DeleteVersion = graphql(`
  mutation DeleteVersion($modelId: ID!, $number: Int!) {
    deleteVersion(modelId: $modelId, number: $number) {
      __typename
      ... on DeleteVersionSuccess {
        model {
          ...ModelFields
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

export const DeleteFormat = graphql(`
  mutation DeleteFormat($modelId: ID!, $number: Int!, $format: String!) {
    deleteFormat(modelId: $modelId, number: $number, format: $format) {
      __typename
      ... on DeleteFormatSuccess {
        version {
          ...VersionFields
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

export const ModelById = graphql(`
  query ModelById($id: ID, $name: String, $asOf: DateTime) {
    model(id: $id, name: $name, asOf: $asOf) {
      ...ModelFields
      versions(first: 100) {
        totalCount
        edges {
          cursor
          node {
            ...VersionFields
          }
        }
      }
      history(first: 100) {
        totalCount
        edges {
          node {
            position
            type
            actor
            recordedAt
            data
          }
        }
      }
    }
  }
`);

export const Versions = graphql(`
  query Versions($id: ID!, $first: Int, $after: String, $last: Int, $before: String, $status: VersionStatus) {
    model(id: $id) {
      versions(first: $first, after: $after, last: $last, before: $before, status: $status) {
        totalCount
        pageInfo {
          hasNextPage
          hasPreviousPage
          endCursor
          startCursor
        }
        edges {
          cursor
          node {
            number
            status
          }
        }
      }
    }
  }
`);

export const Models = graphql(`
  query Models($first: Int, $after: String, $last: Int, $before: String, $search: String, $tags: [String!], $orderBy: ModelOrder) {
    models(first: $first, after: $after, last: $last, before: $before, search: $search, tags: $tags, orderBy: $orderBy) {
      totalCount
      pageInfo {
        hasNextPage
        hasPreviousPage
        endCursor
        startCursor
      }
      edges {
        cursor
        node {
          id
          name
          tags
        }
      }
    }
  }
`);

export const ModelsWithVersions = graphql(`
  query ModelsWithVersions($first: Int) {
    models(first: $first) {
      totalCount
      edges {
        node {
          id
          name
          latestVersion {
            number
          }
          versions(first: 30) {
            edges {
              node {
                number
                formats {
                  id
                  sha256
                }
              }
            }
          }
        }
      }
    }
  }
`);

export const Formats = graphql(`
  query Formats {
    formats
  }
`);

// Issue 17: evaluations, comparison and aliases.

export const EvaluationFields = graphql(`
  fragment EvaluationFields on Evaluation {
    id
    dataset {
      uri
      name
    }
    metrics
    notes
    recordedAt
    recordedBy
  }
`);

export const RecordEvaluation = graphql(`
  mutation RecordEvaluation($input: RecordEvaluationInput!) {
    recordEvaluation(input: $input) {
      __typename
      ... on RecordEvaluationSuccess {
        evaluation {
          ...EvaluationFields
        }
        version {
          number
          status
          updatedAt
          evaluations {
            ...EvaluationFields
          }
        }
      }
      ... on Error {
        code
        message
      }
      ... on ValidationError {
        field
      }
    }
  }
`);

export const AliasFields = graphql(`
  fragment AliasFields on Alias {
    name
    setAt
    setBy
    version {
      number
      aliases
    }
  }
`);

export const SetAlias = graphql(`
  mutation SetAlias($input: SetAliasInput!) {
    setAlias(input: $input) {
      __typename
      ... on SetAliasSuccess {
        model {
          id
          aliases {
            ...AliasFields
          }
        }
        alias {
          ...AliasFields
        }
      }
      ... on Error {
        code
        message
      }
      ... on ValidationError {
        field
      }
      ... on VersionNotPublishedError {
        number
      }
    }
  }
`);

export const RemoveAlias = graphql(`
  mutation RemoveAlias($modelId: ID!, $alias: String!) {
    removeAlias(modelId: $modelId, alias: $alias) {
      __typename
      ... on RemoveAliasSuccess {
        model {
          id
          aliases {
            ...AliasFields
          }
        }
      }
      ... on Error {
        code
        message
      }
      ... on ValidationError {
        field
      }
    }
  }
`);

export const DeleteAliasedVersion = graphql(`
  mutation DeleteAliasedVersion($modelId: ID!, $number: Int!) {
    deleteVersion(modelId: $modelId, number: $number) {
      __typename
      ... on DeleteVersionSuccess {
        model {
          id
          versionCount
        }
      }
      ... on Error {
        code
        message
      }
      ... on VersionAliasedError {
        number
        aliases
      }
    }
  }
`);

export const Comparison = graphql(`
  query Comparison($id: ID!, $numbers: [Int!]!, $asOf: DateTime) {
    model(id: $id, asOf: $asOf) {
      comparison(numbers: $numbers) {
        versions {
          number
        }
        rows {
          section
          key
          dataset
          values
          differs
        }
      }
    }
  }
`);

export const Releases = graphql(`
  query Releases($id: ID, $name: String, $asOf: DateTime) {
    model(id: $id, name: $name, asOf: $asOf) {
      id
      aliases {
        ...AliasFields
        version {
          evaluations {
            ...EvaluationFields
          }
        }
      }
      versions(first: 100) {
        edges {
          node {
            number
            status
            updatedAt
            aliases
            evaluations {
              ...EvaluationFields
            }
          }
        }
      }
      history(first: 100) {
        edges {
          node {
            type
            data
          }
        }
      }
    }
  }
`);

export const VersionByAlias = graphql(`
  query VersionByAlias($id: ID!, $alias: String, $number: Int, $asOf: DateTime) {
    model(id: $id, asOf: $asOf) {
      version(alias: $alias, number: $number) {
        number
        aliases
        evaluations {
          ...EvaluationFields
        }
      }
    }
  }
`);

export const SignedUrls = graphql(`
  query SignedUrls($id: ID!, $number: Int!) {
    model(id: $id) {
      version(number: $number) {
        formats {
          id
          sha256
          downloadUrl
          signedUrl
        }
      }
    }
  }
`);
