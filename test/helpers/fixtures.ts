import { ADMIN_TOKEN, listen, openTestApi, type TestApi } from './api.ts';
import { postMultipart } from './multipart.ts';

/**
 * Shared fixtures for tests that act as several callers over real HTTP: an app on a fresh database served
 * on an ephemeral port, and factories for contexts, principals with tokens, and models.
 */
export interface Served {
  api: TestApi;
  url: string;
  /** A GraphQL request over HTTP as `token` (null: none), in an optional context (a name or an id). */
  gql(token: string | null, query: string, variables?: Record<string, unknown>, context?: string, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
  /** As the bootstrap administrator; fails the test on any top-level error, returns `data`. */
  asAdmin(query: string, variables?: Record<string, unknown>, context?: string): Promise<any>;
  close(): Promise<void>;
}

/** A Cairn at `url` (an app this process serves, or a server process) as the fixtures act on it: GraphQL over HTTP as any caller, in any context. */
export function servedAt(url: string, api?: TestApi, close: () => Promise<void> = async () => {}): Served {
  const gql: Served['gql'] = async (token, query, variables = {}, context, headers = {}) => {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token && { authorization: `Bearer ${token}` }),
        ...(context && { 'x-cairn-context': context }),
        ...headers,
      },
      body: JSON.stringify({ query, variables }),
    });
    const text = await response.text();
    let body: any;
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
    return { status: response.status, body, headers: response.headers };
  };
  return {
    api: api as TestApi,
    url,
    gql,
    async asAdmin(query, variables = {}, context) {
      const { body } = await gql(ADMIN_TOKEN, query, variables, context);
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return body.data;
    },
    close,
  };
}

export async function serveTestApi(options: Parameters<typeof openTestApi>[0] = {}): Promise<Served> {
  const api = await openTestApi(options);
  const server = await listen(api.app);
  return servedAt(server.url, api, async () => {
    await server.close();
    await api.close();
  });
}

let seq = 0;
/** A name no other fixture in this process has used. */
export const uniqueName = (prefix: string) => `${prefix}-${process.pid}-${++seq}`;

export type Role = 'viewer' | 'editor' | 'admin';

export async function givenContext(s: Served, name = uniqueName('ctx')): Promise<{ id: string; name: string }> {
  const data = await s.asAdmin('mutation ($n: String!) { createContext(name: $n) { ... on CreateContextSuccess { context { id name } } ... on Error { code message } } }', { n: name });
  if (!data.createContext.context) throw new Error(JSON.stringify(data));
  return data.createContext.context;
}

/**
 * A principal created by `creator` (the bootstrap administrator unless given), with `role` in `context`
 * (none: no role anywhere) and one token made by the same creator.
 */
export async function givenPrincipal(
  s: Served,
  role: Role | null,
  options: { context?: string; name?: string; creator?: string; expiresAt?: string } = {},
): Promise<{ id: string; name: string; secret: string; tokenId: string }> {
  const creator = options.creator ?? ADMIN_TOKEN;
  const name = options.name ?? uniqueName('principal');
  const call = async (query: string, variables: Record<string, unknown>) => {
    const { body } = await s.gql(creator, query, variables, options.context);
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  };
  const p = await call('mutation ($n: String!) { createPrincipal(name: $n, kind: SERVICE) { ... on CreatePrincipalSuccess { principal { id } } ... on Error { code message } } }', { n: name });
  const id = p.createPrincipal.principal?.id;
  if (!id) throw new Error(JSON.stringify(p));
  if (role) {
    const g = await call('mutation ($i: RoleGrantInput!) { grantRole(input: $i) { __typename ... on Error { code message } } }', { i: { role, principalId: id } });
    if (g.grantRole.__typename !== 'GrantRoleSuccess') throw new Error(JSON.stringify(g));
  }
  const t = await call('mutation ($i: CreateTokenInput!) { createToken(input: $i) { ... on CreateTokenSuccess { secret token { id } } ... on Error { code message } } }', {
    i: { principalId: id, name: 'test', ...(options.expiresAt && { expiresAt: options.expiresAt }) },
  });
  if (!t.createToken.secret) throw new Error(JSON.stringify(t));
  return { id, name, secret: t.createToken.secret, tokenId: t.createToken.token.id };
}

/** A model with `versions` draft versions, created by the administrator in `context` (default: default). */
export async function givenModel(s: Served, options: { context?: string; versions?: number; name?: string } = {}): Promise<{ id: string; name: string }> {
  const name = options.name ?? uniqueName('model');
  const m = await s.asAdmin('mutation ($n: String!) { createModel(input: { name: $n }) { ... on CreateModelSuccess { model { id } } ... on Error { code message } } }', { n: name }, options.context);
  const id = m.createModel.model?.id;
  if (!id) throw new Error(JSON.stringify(m));
  for (let i = 0; i < (options.versions ?? 0); i++) {
    const v = await s.asAdmin('mutation ($id: ID!) { createVersion(input: { modelId: $id }) { __typename ... on Error { code message } } }', { id }, options.context);
    if (v.createVersion.__typename !== 'CreateVersionSuccess') throw new Error(JSON.stringify(v));
  }
  return { id, name };
}

/** Uploads `data` as the `format` file of draft version `number` (replacing any), as the administrator; returns its sha256. */
export async function givenFormat(
  s: Served,
  model: { id: string },
  number: number,
  data: Uint8Array<ArrayBuffer>,
  options: { context?: string; format?: string; filename?: string } = {},
): Promise<string> {
  const query = 'mutation ($input: UploadFormatInput!) { uploadFormat(input: $input) { __typename ... on UploadFormatSuccess { format { sha256 } } ... on Error { code message } } }';
  const headers: Record<string, string> = { authorization: `Bearer ${ADMIN_TOKEN}`, ...(options.context && { 'x-cairn-context': options.context }) };
  const { body } = await postMultipart(`${s.url}/graphql`, query, { input: { modelId: model.id, number, format: options.format ?? 'pkl', file: null } }, [
    { path: 'variables.input.file', data, name: options.filename ?? 'model.pkl' },
  ], headers);
  if (body.data?.uploadFormat?.__typename !== 'UploadFormatSuccess') throw new Error(JSON.stringify(body));
  return body.data.uploadFormat.format.sha256;
}
