// What a command costs the database: the statements it runs and whether it opens a transaction. A
// regression here (a statement more per write) fails; the figures it buys are in bench/RESULTS.md.
import type { KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Db } from '../../src/store/database.ts';
import { openTestApi, type TestApi } from '../helpers/api.ts';
import { CreateModel, CreateVersion, DeleteVersion, PublishVersion, UpdateVersion } from './operations.ts';

/** Counts the statements the app runs (each executed statement's result passes here once) and the transactions it opens. */
const counter = {
  statements: 0,
  transactions: 0,
  plugin: {
    transformQuery: (args) => args.node,
    async transformResult(args) {
      counter.statements++;
      return args.result;
    },
  } satisfies KyselyPlugin,
};

function counted(db: Db): Db {
  const withPlugin = db.withPlugin(counter.plugin);
  return new Proxy(withPlugin, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (prop === 'startTransaction' || prop === 'transaction') counter.transactions++;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

let api: TestApi;
beforeAll(async () => {
  api = await openTestApi({ store: (t) => ({ ...t.store, db: counted(t.db) }) });
});
afterAll(() => api?.close());

async function cost<T>(work: () => Promise<T>): Promise<{ statements: number; transactions: number; result: T }> {
  counter.statements = 0;
  counter.transactions = 0;
  const result = await work();
  return { statements: counter.statements, transactions: counter.transactions, result };
}

it('runs a command without a key on a model this process wrote last in one statement and no transaction, and answers from the state it folded', async () => {
  const created = (await api.ok(CreateModel, { input: { name: 'costed' } })).createModel;
  if (created.__typename !== 'CreateModelSuccess') throw new Error(JSON.stringify(created));
  const modelId = created.model.id;
  await api.ok(CreateVersion, { input: { modelId } });

  // The caller is known (the identity cache, warmed by the requests above), and so is the model (the state
  // this process's last command left): the append with the read models' rows is the one statement. The
  // answer (the version, its model) reads nothing.
  const create = await cost(() => api.ok(CreateVersion, { input: { modelId, description: 'second', tags: ['a'], hyperparameters: { lr: 0.1 } } }));
  expect(create.result.createVersion).toMatchObject({ __typename: 'CreateVersionSuccess', version: { number: 2, description: 'second', tags: ['a'] } });
  expect(create).toMatchObject({ statements: 1, transactions: 0 });

  const update = await cost(() => api.ok(UpdateVersion, { input: { modelId, number: 2, description: 'changed' } }));
  expect(update.result.updateVersion).toMatchObject({ __typename: 'UpdateVersionSuccess', version: { number: 2, description: 'changed' } });
  expect(update).toMatchObject({ statements: 1, transactions: 0 });

  const publish = await cost(() => api.ok(PublishVersion, { modelId, number: 2 }));
  expect(publish.result.publishVersion).toMatchObject({ __typename: 'PublishVersionSuccess', version: { status: 'PUBLISHED' } });
  expect(publish).toMatchObject({ statements: 1, transactions: 0 });

  const remove = await cost(() => api.ok(DeleteVersion, { modelId, number: 1 }));
  expect(remove.result.deleteVersion.__typename).toBe('DeleteVersionSuccess');
  expect(remove.transactions).toBe(0);

  // What the command wrote is what a read of the read models returns.
  const rows = await api.t.db.selectFrom('versions').select(['number', 'description', 'status']).where('model_id', '=', modelId).execute();
  expect(rows).toEqual([{ number: 2, description: 'changed', status: 'PUBLISHED' }]);
});

it('decides a refusal on the state read from the database, and writes nothing', async () => {
  const created = (await api.ok(CreateModel, { input: { name: 'refused' } })).createModel;
  if (created.__typename !== 'CreateModelSuccess') throw new Error(JSON.stringify(created));
  const refused = await cost(() => api.ok(UpdateVersion, { input: { modelId: created.model.id, number: 7, description: 'x' } }));
  expect(refused.result.updateVersion).toMatchObject({ __typename: 'NotFoundError' });
  // The state this process holds refuses it; so does the state read then (a refusal is never trusted to a held state).
  expect(refused).toMatchObject({ statements: 1, transactions: 0 });
});
