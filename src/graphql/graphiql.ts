import fs from 'node:fs';
import path from 'node:path';
import type { Plugin } from 'graphql-yoga';

/**
 * Cairn's own GraphiQL page (web/graphiql: graphiql 5 built by vite; `npm start` builds it when it is missing,
 * `npm run web:build:graphiql` rebuilds it). A browser's GET of /graphql gets its index.html, with the
 * operation a first visit shows filled in; its scripts come from this process under /graphiql/, so it works
 * on a closed network. The page asks for the API token first and sends nothing before it has one.
 */
export const GRAPHIQL_DIR = path.resolve(import.meta.dirname, '../../web/graphiql/dist');
export const GRAPHIQL_ASSETS_PATH = '/graphiql/';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.ttf': 'font/ttf',
  '.woff2': 'font/woff2',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** One of the page's built files by its decoded name under /graphiql/ (`assets/<file>`), or null: nothing else is served. */
export function graphiqlAsset(name: string): { file: string; type: string; size: number } | null {
  if (!/^assets\/[\w-][\w.-]*$/.test(name)) return null;
  const type = TYPES[path.extname(name)];
  if (!type) return null;
  const file = path.join(GRAPHIQL_DIR, name);
  try {
    const stat = fs.statSync(file);
    return stat.isFile() ? { file, type, size: stat.size } : null;
  } catch {
    return null;
  }
}

/** Where the built page takes what the server tells it (web/graphiql/index.html). */
const CONFIG_SLOT = '<script id="cairn-graphiql-config" type="application/json">{}</script>';

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Cairn GraphiQL</title></head>
<body><p>GraphiQL is not built in this checkout: run <code>npm run web:build:graphiql</code> (<code>npm start</code> does it when it is missing), then reload.</p></body></html>
`;

/** Yoga's renderGraphiQL: the built page, read afresh each time (a rebuild needs no restart). */
export async function renderCairnGraphiQL(options: { defaultQuery?: string }): Promise<string> {
  let html: string;
  try {
    html = await fs.promises.readFile(path.join(GRAPHIQL_DIR, 'index.html'), 'utf8');
  } catch {
    return NOT_BUILT;
  }
  // JSON inside a script element: `<` escaped so that no `</script>` in a string can end it.
  const config = JSON.stringify({ defaultQuery: options.defaultQuery }).replace(/</g, '\\u003c');
  return html.replace(CONFIG_SLOT, () => CONFIG_SLOT.replace('{}', config));
}

/**
 * The page holds an administrator's token: it runs only its own scripts, talks only to this server and is
 * never framed. Monaco adds style elements of its own and GraphiQL's fonts are data: URLs. Never cached,
 * since a rebuild renames the scripts it loads.
 */
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; font-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-cache',
};

export const useGraphiQLPageHeaders = (): Plugin => ({
  onResponse({ request, response }) {
    if (request.method !== 'GET' || !response.headers.get('content-type')?.startsWith('text/html')) return;
    for (const [name, value] of Object.entries(PAGE_HEADERS)) response.headers.set(name, value);
  },
});

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
