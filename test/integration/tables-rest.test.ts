/**
 * Entity reads, writes and queries sent through the TableClient's pipeline
 * (src/integrations/store/tables-rest.ts) against a real Azurite, compared with the SDK's own
 * methods on the same rows: the same entities read back, the same statuses and service error
 * codes for conditional writes that lose, and queries that follow continuation pages.
 */
import type { TableClient } from '@azure/data-tables';
import { undiciOrigins } from '../helpers/undici-origins';
import { openTablesAccount, statusOf } from '../../src/integrations/store/tables-client';
import { tableRest } from '../../src/integrations/store/tables-rest';
import { useAzurite } from '../helpers/azurite';

jest.setTimeout(60_000);

const world = useAzurite();
const conn = world.conn;
const table = (name = 'rest') => openTablesAccount(conn(), world.azurite.freshPrefix()).table(name);

/** Keys with what a key predicate must escape: quotes, `|`, `!`/`;` (keyPart's escapes), `%`, spaces, non-ASCII. */
const P = "p'|!2F;% é";
const R = "r'1|x";

/** `{ statusCode, code }` of a rejected call (or of its success, as 'ok'). */
async function outcome(work: Promise<unknown>): Promise<unknown> {
  try {
    await work;
    return 'ok';
  } catch (err) {
    return { statusCode: statusOf(err), code: (err as { code?: string }).code };
  }
}

test('an entity written by the SDK reads back the same through both, EDM types included', async () => {
  const client = await table();
  await client.createEntity({
    partitionKey: P,
    rowKey: R,
    text: 'Ünïcödé "quoted" \\ line\nbreak',
    n: 7,
    big: 1_764_547_200_000_999,
    frac: 0.25,
    flag: true,
    int64: { value: '9007199254740993', type: 'Int64' },
  });
  const ours = await tableRest(client).get(P, R);
  // The SDK also passes the answer's `odata.metadata` URL through; nothing reads it.
  const { 'odata.metadata': _metadata, ...sdk } = await client.getEntity(P, R);
  expect(ours).toEqual(sdk);
  expect(ours.int64).toBe(9007199254740993n);
  expect(ours.etag).toMatch(/^W\/"datetime'/);
});

test('writes: create, replace under an ETag, upsert and delete store what the SDK stores, and hand back the new ETag', async () => {
  const client = await table();
  const rest = tableRest(client);
  const created = await rest.create({ partitionKey: P, rowKey: R, n: 1, s: 'a' });
  expect(created.etag).toBe((await client.getEntity(P, R)).etag);
  const replaced = await rest.replace({ partitionKey: P, rowKey: R, n: 2 }, created.etag!);
  const afterReplace = await client.getEntity(P, R);
  expect(replaced.etag).toBe(afterReplace.etag);
  expect(afterReplace).toMatchObject({ n: 2 });
  expect(afterReplace.s).toBeUndefined(); // Replace, not Merge
  await rest.upsert({ partitionKey: P, rowKey: 'u', v: 1 });
  await rest.upsert({ partitionKey: P, rowKey: 'u', w: 2 });
  const upserted = await client.getEntity(P, 'u');
  expect([upserted.v, upserted.w]).toEqual([undefined, 2]);
  await rest.delete(P, 'u');
  expect(await outcome(client.getEntity(P, 'u'))).toMatchObject({ statusCode: 404 });
  await rest.delete(P, R, replaced.etag!);
  expect(await outcome(client.getEntity(P, R))).toMatchObject({ statusCode: 404 });
});

test('lost conditional writes fail with the SDK’s statuses and codes, and change nothing', async () => {
  const client = await table();
  const rest = tableRest(client);
  const first = await rest.create({ partitionKey: P, rowKey: R, n: 1 });
  await rest.replace({ partitionKey: P, rowKey: R, n: 2 }, first.etag!);
  const stale = first.etag!;
  const pairs: [Promise<unknown>, () => Promise<unknown>][] = [
    [rest.create({ partitionKey: P, rowKey: R }), () => client.createEntity({ partitionKey: P, rowKey: R })],
    [
      rest.replace({ partitionKey: P, rowKey: R, n: 3 }, stale),
      () => client.updateEntity({ partitionKey: P, rowKey: R, n: 3 }, 'Replace', { etag: stale }),
    ],
    [
      rest.replace({ partitionKey: P, rowKey: 'missing', n: 3 }, '*'),
      () => client.updateEntity({ partitionKey: P, rowKey: 'missing', n: 3 }, 'Replace', { etag: '*' }),
    ],
    [rest.delete(P, R, stale), () => client.deleteEntity(P, R, { etag: stale })],
    [rest.delete(P, 'missing'), () => client.deleteEntity(P, 'missing')],
    [rest.get(P, 'missing'), () => client.getEntity(P, 'missing')],
  ];
  const ours = [];
  for (const [work] of pairs) ours.push(await outcome(work));
  // The service's error codes, which the SDK's errors leave out (it puts the body in the message).
  expect(ours).toEqual([
    { statusCode: 409, code: 'EntityAlreadyExists' },
    { statusCode: 412, code: 'UpdateConditionNotSatisfied' },
    { statusCode: 404, code: 'ResourceNotFound' },
    { statusCode: 412, code: 'UpdateConditionNotSatisfied' },
    { statusCode: 404, code: 'ResourceNotFound' },
    { statusCode: 404, code: 'ResourceNotFound' },
  ]);
  const sdks = [];
  for (const [, work] of pairs) sdks.push(await outcome(work()));
  expect(sdks.map((o) => (o as { statusCode?: number }).statusCode)).toEqual([409, 412, 404, 412, 404, 404]);
  expect((await client.getEntity(P, R)).n).toBe(2);
});

test('a refused write carries the service’s own message from the OData error body', async () => {
  const rest = tableRest(await table());
  await rest.create({ partitionKey: P, rowKey: R });
  // The body's `odata.error.message.value` (the service's request id follows it), not the
  // fallback the status alone would give ("the Table service answered 409").
  await expect(rest.create({ partitionKey: P, rowKey: R })).rejects.toThrow(/^The specified entity already exists\./);
});

test('queries follow continuation pages in key order, with $select and $top, as the SDK lists them', async () => {
  const client: TableClient = await table();
  const keys = Array.from({ length: 25 }, (_, i) => `k|${String(i).padStart(3, '0')}`);
  for (const rowKey of keys) await client.createEntity({ partitionKey: P, rowKey, n: 1, doc0: 'x' });
  await client.createEntity({ partitionKey: 'other', rowKey: 'k|000' });
  const filter = `PartitionKey eq '${P.replace(/'/g, "''")}' and RowKey ge 'k|' and RowKey lt 'k|~'`;
  const pages = [];
  for await (const page of tableRest(client).pages({ filter, pageSize: 10 })) pages.push(page);
  expect(pages.map((p) => p.length)).toEqual([10, 10, 5]);
  expect(pages.flat().map((e) => e.rowKey)).toEqual(keys);
  const sdk = [];
  for await (const e of client.listEntities({ queryOptions: { filter } })) sdk.push(e);
  expect(pages.flat()).toEqual(sdk);
  const selected = [];
  for await (const page of tableRest(client).pages({ filter, select: ['RowKey'] })) selected.push(...page);
  expect(selected).toHaveLength(25);
  expect(selected[0]).toMatchObject({ rowKey: 'k|000' });
  expect(selected[0].n).toBeUndefined();
  expect(selected[0].doc0).toBeUndefined();
});

test('a table that does not exist answers with the service’s 404 and code', async () => {
  const client = openTablesAccount(conn(), world.azurite.freshPrefix()).existingTable('missing');
  expect(await outcome(client.getEntity('p', 'r'))).toMatchObject({ statusCode: 404 });
  expect(await outcome(tableRest(client).get('p', 'r'))).toEqual({ statusCode: 404, code: 'TableNotFound' });
});

test('the requests, ours and the SDK’s, go over the pooled HTTP client (undici)', async () => {
  const client = await table();
  const origins = await undiciOrigins(async () => {
    await tableRest(client).create({ partitionKey: 'p', rowKey: 'r', n: 1 });
    await client.getEntity('p', 'r');
  });
  expect(origins).toEqual([new URL(client.url).origin, new URL(client.url).origin]);
});
