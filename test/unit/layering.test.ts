// The layering rule of eslint.config.js, tried on planted code: each file is linted as if it stood at that
// path in src/ (nothing is written), so the directory's own rules apply to it.
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const eslint = new ESLint({ cwd: root });

/** What ESLint says about `code` at `file`: the rule and its message, line by line. */
async function lint(file: string, code: string): Promise<{ line: number; rule: string | null; message: string }[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result!.messages.map((m) => ({ line: m.line, rule: m.ruleId, message: m.message }));
}

describe('the domain', () => {
  it('imports nothing outside src/domain: not config, not a package, not even a type', async () => {
    expect(await lint('src/domain/model/planted.ts', "import type { Config } from '../../config.ts';\nexport type Limits = Config['limits'];\n")).toEqual([
      { line: 1, rule: 'no-restricted-imports', message: expect.stringContaining('The domain imports nothing outside src/domain') },
    ]);
    expect(await lint('src/domain/planted.ts', "import { randomUUID } from 'node:crypto';\nexport const newId = randomUUID;\n")).toEqual([
      { line: 1, rule: 'no-restricted-imports', message: expect.stringContaining('The domain imports nothing outside src/domain') },
    ]);
  });

  it('imports the rest of the domain, from any depth', async () => {
    const code = "import { NotFoundError } from '../errors.ts';\nimport type { ModelEvent } from './events.ts';\nexport type Both = [NotFoundError, ModelEvent];\n";
    expect(await lint('src/domain/model/planted.ts', code)).toEqual([]);
    expect(await lint('src/domain/planted.ts', "import { isUuid } from './ids.ts';\nexport const valid = isUuid;\n")).toEqual([]);
  });
});

describe('SQL outside src/store', () => {
  it('is refused: an import of Kysely or a driver, and a query started on a Db that was passed in', async () => {
    const code = [
      "import { sql } from 'kysely';",
      "import type { Db } from '../../store/database.ts';",
      "export const count = (db: Db) => db.selectFrom('models').select(sql<number>`count(*)`.as('n')).execute();",
      '',
    ].join('\n');
    expect(await lint('src/graphql/types/planted.ts', code)).toEqual([
      { line: 1, rule: 'no-restricted-imports', message: expect.stringContaining('Only src/store talks to the database') },
      { line: 3, rule: 'no-restricted-syntax', message: 'Only src/store runs SQL: add a store function and call it.' },
    ]);
    expect(await lint('src/http/planted.ts', "import pg from 'pg';\nexport const driver = pg;\n")).toEqual([
      { line: 1, rule: 'no-restricted-imports', message: expect.stringContaining('Only src/store talks to the database') },
    ]);
    expect(await lint('src/files/planted.ts', "import type { Db } from '../store/database.ts';\nexport const tx = (db: Db) => db.transaction();\n")).toEqual([
      { line: 2, rule: 'no-restricted-syntax', message: 'Only src/store runs SQL: add a store function and call it.' },
    ]);
  });

  it('is refused in src/auth too, beyond the files listed as exempt until access control moves into the log', async () => {
    expect(await lint('src/auth/planted.ts', "import type { Db } from '../store/database.ts';\nexport const all = (db: Db) => db.selectFrom('tokens').selectAll().execute();\n")).toEqual([
      { line: 2, rule: 'no-restricted-syntax', message: 'Only src/store runs SQL: add a store function and call it.' },
    ]);
  });

  it("is where the store runs it; Kysely's types may be named anywhere", async () => {
    const store = "import { sql } from 'kysely';\nimport type { Db } from './database.ts';\nexport const names = (db: Db) => db.selectFrom('models').select(sql<string>`lower(name)`.as('n')).execute();\n";
    expect(await lint('src/store/planted.ts', store)).toEqual([]);
    expect(await lint('src/files/planted.ts', "import type { Transaction } from 'kysely';\nexport type Trx = Transaction<object>;\n")).toEqual([]);
  });
});

describe('the layers', () => {
  it('import inwards only: the store not GraphQL, GraphQL not HTTP, HTTP not the app that wires it', async () => {
    expect(await lint('src/store/projections/planted.ts', "import { schema } from '../../graphql/schema.ts';\nexport const s = schema;\n")).toEqual([
      { line: 1, rule: 'no-restricted-imports', message: expect.stringContaining('src/store must not import src/graphql') },
    ]);
    expect(await lint('src/graphql/planted.ts', "export { sendJson } from '../http/server.ts';\n")).toEqual([
      { line: 1, rule: 'no-restricted-imports', message: expect.stringContaining('src/graphql must not import src/http') },
    ]);
    expect(await lint('src/http/planted.ts', "import type { App } from '../app.ts';\nexport type A = App;\n")).toEqual([
      { line: 1, rule: 'no-restricted-imports', message: expect.stringContaining('src/http must not import src/app.ts') },
    ]);
  });

  it('pass a resolver that reads through the store and decides in the domain', async () => {
    const code = [
      "import { NotFoundError } from '../../domain/errors.ts';",
      "import { isUuid } from '../../domain/ids.ts';",
      "import { findModelByName } from '../../store/readModels.ts';",
      "import type { GraphQLContext } from '../context.ts';",
      'export async function byName(ctx: GraphQLContext, name: string) {',
      '  const model = await findModelByName(ctx.db, ctx.contextId, name);',
      "  if (!model || !isUuid(model.id)) throw new NotFoundError('No such model');",
      '  return model;',
      '}',
      '',
    ].join('\n');
    expect(await lint('src/graphql/types/planted.ts', code)).toEqual([]);
  });

  it('form no import cycle', async () => {
    // Planted into a real module that model.ts imports: importing model.ts back closes a cycle.
    expect(await lint('src/graphql/types/refs.ts', "import { loadModel } from './model.ts';\nexport const load = loadModel;\n")).toEqual([
      { line: 1, rule: 'import-x/no-cycle', message: 'Dependency cycle detected' },
    ]);
  });
});
