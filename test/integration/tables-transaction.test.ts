/**
 * Entity-group transactions sent through the TableClient's pipeline (src/integrations/store/
 * tables-transaction.ts) against a real Azurite: all or nothing, the same statuses and error
 * codes as the SDK's `submitTransaction`, ETags in the actions' order, and entities stored with
 * exactly the properties and EDM types the SDK's transaction stores for the same actions.
 */
import type { TableClient } from '@azure/data-tables';
import { openTablesAccount, statusOf } from '../../src/integrations/store/tables-client';
import { submitTransaction, type TransactionAction } from '../../src/integrations/store/tables-transaction';
import { useAzurite } from '../helpers/azurite';

jest.setTimeout(60_000);

const world = useAzurite();
const conn = world.conn;
const table = (name = 'tx') => openTablesAccount(conn(), world.azurite.freshPrefix()).table(name);

/** Every entity of a table as stored: EDM types kept, service-set Timestamp and ETag left out. */
async function stored(client: TableClient): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for await (const e of client.listEntities({ disableTypeConversion: true })) {
    const { etag: _e, timestamp: _t, ...rest } = e as Record<string, unknown>;
    out.push(rest);
  }
  return out;
}

/** Keys with what a key predicate must escape: quotes, `|`, `!`/`;` (keyPart's escapes), `%`, spaces, non-ASCII. */
const P = "p'|!2F;% é";

function sample(): TransactionAction[] {
  return [
    [
      'create',
      { partitionKey: P, rowKey: "a'1|x", text: 'Ünïcödé "quoted" \\ line\nbreak', n: 7, big: 1_764_547_200_000_999 },
    ],
    ['create', { partitionKey: P, rowKey: 'b', frac: 0.25, neg: -3, flag: true }],
    ['upsert', { partitionKey: P, rowKey: 'c', doc0: '{"a":1}', docChunks: 1 }, 'Replace'],
  ];
}

test('stores the same entities, properties and EDM types as the SDK’s submitTransaction', async () => {
  const [ours, sdks] = await Promise.all([table(), table()]);
  const result = await submitTransaction(ours, sample());
  await sdks.submitTransaction(sample() as Parameters<TableClient['submitTransaction']>[0]);
  expect(await stored(ours)).toEqual(await stored(sdks));
  expect(await stored(ours)).toHaveLength(3);
  // One sub-response per action, in order, each with the row's new ETag.
  expect(result.subResponses.map((r) => r.status)).toEqual([204, 204, 204]);
  expect(result.subResponses.map((r) => r.etag)).toEqual([
    (await ours.getEntity(P, "a'1|x")).etag,
    (await ours.getEntity(P, 'b')).etag,
    (await ours.getEntity(P, 'c')).etag,
  ]);
});

test('a conditional replace under the current ETag applies with the rest; a stale ETag fails the whole transaction with 412', async () => {
  const client = await table();
  const [first] = (await submitTransaction(client, sample())).subResponses;
  const second = await submitTransaction(client, [
    ['update', { partitionKey: P, rowKey: "a'1|x", n: 8 }, 'Replace', { etag: first.etag! }],
    ['delete', { partitionKey: P, rowKey: 'b' }],
  ]);
  expect((await client.getEntity(P, "a'1|x")).n).toBe(8);
  expect((await client.getEntity(P, "a'1|x")).text).toBeUndefined(); // Replace, not Merge
  expect(second.subResponses[0].etag).toBe((await client.getEntity(P, "a'1|x")).etag);
  const before = await stored(client);
  // The ETag of the version before: another writer's update landed since.
  const stale = submitTransaction(client, [
    ['create', { partitionKey: P, rowKey: 'new' }],
    ['update', { partitionKey: P, rowKey: "a'1|x", n: 9 }, 'Replace', { etag: first.etag! }],
  ]);
  await expect(stale).rejects.toMatchObject({ statusCode: 412, code: 'UpdateConditionNotSatisfied' });
  expect(await stored(client)).toEqual(before);
});

test('a create of an existing row fails the whole transaction with 409; a delete of a missing row with 404', async () => {
  const client = await table();
  await submitTransaction(client, sample());
  const before = await stored(client);
  const exists = submitTransaction(client, [
    ['upsert', { partitionKey: P, rowKey: 'c', changed: 1 }, 'Replace'],
    ['create', { partitionKey: P, rowKey: 'b' }],
  ]);
  await expect(exists).rejects.toMatchObject({ statusCode: 409, code: 'EntityAlreadyExists' });
  const missing = submitTransaction(client, [
    ['create', { partitionKey: P, rowKey: 'd' }],
    ['delete', { partitionKey: P, rowKey: 'gone' }],
  ]);
  await expect(missing).rejects.toMatchObject({ statusCode: 404 });
  expect(await stored(client)).toEqual(before);
});

test('refuses mixed partitions and empty transactions before sending anything', async () => {
  const client = await table();
  const sent: string[] = [];
  client.pipeline.addPolicy({ name: 'spy', sendRequest: (r, next) => (sent.push(r.method), next(r)) });
  await expect(
    submitTransaction(client, [
      ['create', { partitionKey: 'a', rowKey: '1' }],
      ['create', { partitionKey: 'b', rowKey: '1' }],
    ]),
  ).rejects.toThrow(/same partitionKey/);
  await expect(submitTransaction(client, [])).rejects.toThrow(/at least one action/);
  expect(sent).toEqual([]);
});

test('a transaction on a table that does not exist fails with the service’s 404, not a parse error', async () => {
  const client = openTablesAccount(conn(), world.azurite.freshPrefix()).existingTable('missing');
  const err = await submitTransaction(client, [['create', { partitionKey: 'p', rowKey: 'r' }]]).catch(
    (e: unknown) => e,
  );
  expect(statusOf(err)).toBe(404);
});
