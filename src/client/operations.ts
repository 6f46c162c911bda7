import { graphql } from './generated/index.ts';

// The client's operations. `npm run codegen` turns them into typed documents in ./generated.

export const ModelParts = graphql(`
  fragment ClientModel on Model {
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
      status
    }
  }
`);

export const VersionParts = graphql(`
  fragment ClientVersion on Version {
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
      uploadedAt
      uploadedBy
    }
    createdAt
    createdBy
    publishedAt
    publishedBy
    aliases
    evaluations {
      ...ClientEvaluation
    }
  }
`);

export const EvaluationParts = graphql(`
  fragment ClientEvaluation on Evaluation {
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

export const AliasParts = graphql(`
  fragment ClientAlias on Alias {
    name
    version {
      number
    }
    setAt
    setBy
  }
`);

// Each event type's own fields; `data` (deprecated) is not asked for.
export const ModelEventParts = graphql(`
  fragment ClientModelEvent on ModelEvent {
    __typename
    id
    schemaVersion
    position
    type
    recordedAt
    actor
    requestId
    modelId
    ... on ModelCreatedEvent {
      name
      description
      tags
      contextId
    }
    ... on ModelUpdatedEvent {
      changed
      changes {
        name
        description
        tags
      }
    }
    ... on VersionCreatedEvent {
      number
      description
      tags
      hyperparameters
      config
      records {
        uri
        name
      }
    }
    ... on VersionUpdatedEvent {
      number
      changed
      changes {
        description
        tags
        hyperparameters
        config
        records {
          uri
          name
        }
      }
    }
    ... on VersionPublishedEvent {
      number
    }
    ... on VersionDeletedEvent {
      number
    }
    ... on FormatUploadedEvent {
      number
      format
      sha256
      size
      filename
      contentType
      replaced
    }
    ... on FormatDeletedEvent {
      number
      format
    }
    ... on EvaluationRecordedEvent {
      number
      evaluationId
      dataset {
        uri
        name
      }
      metrics
      notes
    }
    ... on AliasSetEvent {
      alias
      number
      previousNumber
    }
    ... on AliasRemovedEvent {
      alias
      number
    }
  }
`);

export const Me = graphql(`
  query ClientMe {
    me {
      principal {
        id
        name
      }
      context {
        id
        name
      }
      roles
    }
  }
`);

export const ListModels = graphql(`
  query ClientListModels($first: Int, $after: String, $search: String, $tags: [String!]) {
    models(first: $first, after: $after, search: $search, tags: $tags) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          ...ClientModel
        }
      }
    }
  }
`);

export const GetModel = graphql(`
  query ClientGetModel($id: ID, $name: String) {
    model(id: $id, name: $name) {
      ...ClientModel
      versions(first: 100) {
        edges {
          node {
            ...ClientVersion
          }
        }
      }
    }
  }
`);

export const ListVersions = graphql(`
  query ClientListVersions($id: ID, $name: String, $first: Int, $after: String) {
    model(id: $id, name: $name) {
      id
      versions(first: $first, after: $after) {
        pageInfo {
          hasNextPage
          endCursor
        }
        edges {
          node {
            ...ClientVersion
          }
        }
      }
    }
  }
`);

export const GetVersion = graphql(`
  query ClientGetVersion($id: ID, $name: String, $number: Int!) {
    model(id: $id, name: $name) {
      id
      version(number: $number) {
        ...ClientVersion
      }
    }
  }
`);

export const GetVersionByAlias = graphql(`
  query ClientGetVersionByAlias($id: ID, $name: String, $alias: String!) {
    model(id: $id, name: $name) {
      id
      version(alias: $alias) {
        ...ClientVersion
      }
    }
  }
`);

export const ListAliases = graphql(`
  query ClientListAliases($id: ID, $name: String) {
    model(id: $id, name: $name) {
      id
      aliases {
        ...ClientAlias
      }
    }
  }
`);

export const CompareVersions = graphql(`
  query ClientCompareVersions($id: ID, $name: String, $numbers: [Int!]!) {
    model(id: $id, name: $name) {
      id
      comparison(numbers: $numbers) {
        versions {
          ...ClientVersion
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

export const History = graphql(`
  query ClientHistory($id: ID!, $first: Int, $after: String) {
    model(id: $id) {
      history(first: $first, after: $after) {
        pageInfo {
          hasNextPage
          endCursor
        }
        edges {
          node {
            ...ClientModelEvent
          }
        }
      }
    }
  }
`);

export const CreateModel = graphql(`
  mutation ClientCreateModel($input: CreateModelInput!) {
    createModel(input: $input) {
      __typename
      ... on CreateModelSuccess {
        model {
          ...ClientModel
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

export const UpdateModel = graphql(`
  mutation ClientUpdateModel($input: UpdateModelInput!) {
    updateModel(input: $input) {
      __typename
      ... on UpdateModelSuccess {
        model {
          ...ClientModel
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
  mutation ClientDeleteModel($id: ID!) {
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
  mutation ClientCreateVersion($input: CreateVersionInput!) {
    createVersion(input: $input) {
      __typename
      ... on CreateVersionSuccess {
        version {
          ...ClientVersion
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

export const UpdateVersion = graphql(`
  mutation ClientUpdateVersion($input: UpdateVersionInput!) {
    updateVersion(input: $input) {
      __typename
      ... on UpdateVersionSuccess {
        version {
          ...ClientVersion
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
  mutation ClientPublishVersion($modelId: ID!, $number: Int!) {
    publishVersion(modelId: $modelId, number: $number) {
      __typename
      ... on PublishVersionSuccess {
        version {
          ...ClientVersion
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
  mutation ClientDeleteVersion($modelId: ID!, $number: Int!) {
    deleteVersion(modelId: $modelId, number: $number) {
      __typename
      ... on DeleteVersionSuccess {
        model {
          id
        }
      }
      ... on VersionAliasedError {
        number
        aliases
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

export const UploadFormat = graphql(`
  mutation ClientUploadFormat($input: UploadFormatInput!) {
    uploadFormat(input: $input) {
      __typename
      ... on UploadFormatSuccess {
        format {
          id
          filename
          size
          sha256
          contentType
          downloadUrl
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

export const RecordEvaluation = graphql(`
  mutation ClientRecordEvaluation($input: RecordEvaluationInput!) {
    recordEvaluation(input: $input) {
      __typename
      ... on RecordEvaluationSuccess {
        evaluation {
          ...ClientEvaluation
        }
        version {
          number
          status
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

export const SetAlias = graphql(`
  mutation ClientSetAlias($input: SetAliasInput!) {
    setAlias(input: $input) {
      __typename
      ... on SetAliasSuccess {
        alias {
          ...ClientAlias
        }
      }
      ... on VersionNotPublishedError {
        number
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

export const RemoveAlias = graphql(`
  mutation ClientRemoveAlias($modelId: ID!, $alias: String!) {
    removeAlias(modelId: $modelId, alias: $alias) {
      __typename
      ... on RemoveAliasSuccess {
        model {
          id
          aliases {
            ...ClientAlias
          }
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

export const WebhookParts = graphql(`
  fragment ClientWebhook on Webhook {
    id
    url
    eventTypes
    modelId
    description
    active
    createdAt
    createdBy
  }
`);

export const WebhookDeliveryParts = graphql(`
  fragment ClientWebhookDelivery on WebhookDelivery {
    id
    eventId
    eventType
    position
    status
    attempts
    lastResponseStatus
    lastError
    lastAttemptAt
    nextAttemptAt
  }
`);

export const ListWebhooks = graphql(`
  query ClientListWebhooks {
    webhooks {
      ...ClientWebhook
    }
  }
`);

export const WebhookDeliveries = graphql(`
  query ClientWebhookDeliveries($id: ID!, $first: Int, $after: String, $status: DeliveryStatus) {
    webhook(id: $id) {
      id
      deliveries(first: $first, after: $after, status: $status) {
        pageInfo {
          hasNextPage
          endCursor
        }
        edges {
          node {
            ...ClientWebhookDelivery
          }
        }
      }
    }
  }
`);

export const CreateWebhook = graphql(`
  mutation ClientCreateWebhook($input: CreateWebhookInput!) {
    createWebhook(input: $input) {
      __typename
      ... on CreateWebhookSuccess {
        webhook {
          ...ClientWebhook
        }
        secret
      }
      ... on ValidationError {
        field
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

export const UpdateWebhook = graphql(`
  mutation ClientUpdateWebhook($input: UpdateWebhookInput!) {
    updateWebhook(input: $input) {
      __typename
      ... on UpdateWebhookSuccess {
        webhook {
          ...ClientWebhook
        }
      }
      ... on ValidationError {
        field
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

export const DeleteWebhook = graphql(`
  mutation ClientDeleteWebhook($id: ID!) {
    deleteWebhook(id: $id) {
      __typename
      ... on DeleteWebhookSuccess {
        webhook {
          ...ClientWebhook
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

export const RedeliverWebhook = graphql(`
  mutation ClientRedeliverWebhook($deliveryId: ID!) {
    redeliverWebhook(deliveryId: $deliveryId) {
      __typename
      ... on RedeliverWebhookSuccess {
        delivery {
          ...ClientWebhookDelivery
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);
