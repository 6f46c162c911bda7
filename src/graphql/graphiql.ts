import { createRequire } from 'node:module';
import path from 'node:path';
import { renderGraphiQL } from 'graphql-yoga';

/**
 * GraphiQL served from this process: Yoga's page loads its scripts from a public CDN, which a registry
 * on a closed network cannot reach. The same files come from the @graphql-yoga/graphiql package instead.
 */
export const GRAPHIQL_ASSETS_PATH = '/graphiql/';
const CDN = /https:\/\/unpkg\.com\/@graphql-yoga\/graphiql@[^/]+\/dist\//g;

export const graphiqlAssetsDir = path.join(path.dirname(createRequire(import.meta.url).resolve('@graphql-yoga/graphiql/package.json')), 'dist');

export const GRAPHIQL_ASSETS: Record<string, string> = {
  'graphiql.css': 'text/css; charset=utf-8',
  'yoga-graphiql.umd.js': 'text/javascript; charset=utf-8',
  'monacoeditorwork/editor.worker.bundle.js': 'text/javascript; charset=utf-8',
  'monacoeditorwork/json.worker.bundle.js': 'text/javascript; charset=utf-8',
  'monacoeditorwork/graphql.worker..bundle.js': 'text/javascript; charset=utf-8',
};

export const EXAMPLE_OPERATION = `# Welcome to Cairn. Run this (the play button), then try the mutations in the Docs panel:
#   createModel, createVersion, publishVersion, deleteVersion ...

query Models {
  models(first: 20) {
    totalCount
    edges {
      node {
        id
        name
        tags
        versionCount
        latestVersion { number status formats { id size downloadUrl } }
      }
    }
  }
  formats
}

# mutation CreateModel {
#   createModel(input: { name: "churn", tags: ["demo"], description: "Predicts churn" }) {
#     __typename
#     ... on CreateModelSuccess { model { id name } }
#     ... on Error { code message }
#   }
# }
`;

export function renderLocalGraphiQL(options: Parameters<typeof renderGraphiQL>[0]): string {
  return renderGraphiQL(options)
    .replace(CDN, GRAPHIQL_ASSETS_PATH)
    .replace(/href=https:\/\/raw\.githubusercontent\.com\/[^ >]*/g, 'href="data:,"');
}
