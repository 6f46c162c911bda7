import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { type ExecutionResult, print } from 'graphql';
import { type App, createApp } from '../../src/app.ts';
import type { BlobStore } from '../../src/files/blobStore.ts';
import { openBlobStore } from '../../src/files/openBlobStore.ts';
import { continueOnlyWhenAccepted } from '../../src/http/listen.ts';
import { type Config, loadConfig } from '../../src/config.ts';
import { createLogger, type Logger } from '../../src/logger.ts';
import type { Store } from '../../src/store/open.ts';
import { openTestDatabase, type TestDatabase } from './database.ts';

export interface TestApi {
  t: TestDatabase;
  /** Where this app keeps its files. */
  config: Config;
  app: App;
  /** Runs a typed document through Yoga, without a network. */
  run<R, V extends Record<string, unknown>>(document: TypedDocumentNode<R, V>, variables?: V, headers?: Record<string, string>): Promise<ExecutionResult<R>>;
  /** Like run, but fails the test on any top-level GraphQL error and returns `data`. */
  ok<R, V extends Record<string, unknown>>(document: TypedDocumentNode<R, V>, variables?: V): Promise<R>;
  close(): Promise<void>;
}

/** The administrator's token in every test database (CAIRN_BOOTSTRAP_TOKEN). */
export const ADMIN_TOKEN = 'cairn_test_admin_token_0123456789';
export const adminHeaders = { authorization: `Bearer ${ADMIN_TOKEN}` };

export const testConfig = (env: Record<string, string> = {}): Config => loadConfig({ LOG_LEVEL: 'silent', CAIRN_BOOTSTRAP_TOKEN: ADMIN_TOKEN, ...env });

/**
 * A Cairn app on a fresh test database; `store` lets a test wrap the database (to count statements, say),
 * `blobs` the configured blob store (to watch uploads), `logger` read what the app logs.
 */
export async function openTestApi(
  options: {
    env?: Record<string, string>;
    /** A database the test prepared (an older Cairn's, say) instead of a fresh one; closed with the API. */
    database?: TestDatabase;
    store?: (t: TestDatabase) => Store;
    blobs?: (stored: BlobStore) => BlobStore;
    logger?: Logger;
    /** A built dashboard of the test's own to serve at `/`, instead of web/dist. */
    dashboardDir?: string;
  } = {},
): Promise<TestApi> {
  const t = options.database ?? (await openTestDatabase());
  // The app's files (blobs) go to a directory of this test file's own.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-api-'));
  const config = { ...testConfig({ CAIRN_DATA_DIR: dataDir, ...options.env }), ...(options.dashboardDir && { dashboardDir: options.dashboardDir }) };
  const blobs = options.blobs && options.blobs(await openBlobStore(config));
  const app = await createApp(config, options.store?.(t) ?? t.store, options.logger ?? createLogger('silent'), blobs);
  const run: TestApi['run'] = async (document, variables, headers = {}) => {
    const response = await app.yoga.fetch('http://cairn.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...adminHeaders, ...headers },
      body: JSON.stringify({ query: print(document), variables }),
    });
    return (await response.json()) as ExecutionResult<any>;
  };
  return {
    t,
    app,
    config,
    run,
    async ok(document, variables) {
      const result = await run(document, variables);
      if (result.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
      return result.data!;
    },
    async close() {
      await app.close();
      await t.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Serves the app's Node handler on an ephemeral port, for tests where HTTP itself is under test. */
export async function listen(app: App): Promise<{ url: string; close(): Promise<void> }> {
  const { createServer } = await import('node:http');
  const server = createServer(app.handle);
  continueOnlyWhenAccepted(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as import('node:net').AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Sends a query written as a string (for malformed, hostile or untyped operations). */
export async function rawQuery(app: App, query: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const response = await app.yoga.fetch('http://cairn.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...adminHeaders, ...headers },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, body: await response.json() };
}
