/**
 * The store contracts (requests G8, audit log G11, coordination) on Azure Table Storage, through
 * @azure/data-tables against a real Azurite started from node_modules for this file.
 */
import { VersionConflictError } from '../../src/domain/ports';
import { transition } from '../../src/domain/request';
import { tablesStores } from '../../src/integrations/store/open-stores';
import { openTablesAccount } from '../../src/integrations/store/tables-client';
import { TablesRequestStore } from '../../src/integrations/store/tables-request-store';
import { startAzurite, type Azurite } from '../helpers/azurite';
import { describeAuditLogContract } from '../unit/support/audit-log-contract';
import { describeCoordinationContract } from '../unit/support/coordination-contract';
import { FakeClock } from '../unit/support/fake-clock';
import { describeRequestStoreContract } from '../unit/support/request-store-contract';
import { APPROVER, auditEvent, OUTSIDER, pendingRequest } from '../unit/support/requests';

jest.setTimeout(60_000);

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

const conn = () => ({ kind: 'connectionString' as const, value: azurite.connectionString });

describeRequestStoreContract('Azure Tables (Azurite)', async () => {
  const stores = await tablesStores(conn(), new FakeClock(), azurite.freshPrefix());
  return { store: stores.requests, dispose: () => stores.close() };
});

describeAuditLogContract('Azure Tables (Azurite)', async (clock) => {
  const stores = await tablesStores(conn(), clock, azurite.freshPrefix());
  return { log: stores.audit, clock, dispose: () => stores.close() };
});

describeCoordinationContract('Azure Tables (Azurite)', async (clock) => {
  const stores = await tablesStores(conn(), clock, azurite.freshPrefix());
  return { ...stores, dispose: () => stores.close() };
});

describe('Azure Tables specifics', () => {
  const AT = new Date('2025-01-15T10:00:00.000Z');

  test('two store instances (two bot processes’ worth of clients) on one table: one decision wins with a real 412', async () => {
    const prefix = azurite.freshPrefix();
    const a = new TablesRequestStore(await openTablesAccount(conn(), prefix).table('requests'));
    const b = new TablesRequestStore(await openTablesAccount(conn(), prefix).table('requests'));
    const request = pendingRequest();
    await a.create(request);
    const base = (await b.get(request.id))!;
    const results = await Promise.allSettled([
      a.update(transition(base, { type: 'approve', by: APPROVER, at: AT })),
      b.update(transition(base, { type: 'reject', by: OUTSIDER, at: AT })),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(
      VersionConflictError,
    );
    expect((await a.get(request.id))?.version).toBe(2);
    await expect(b.create(request)).rejects.toThrow(/already exists/);
  });

  test('a request larger than one 64 KiB string property is split over several properties and read back whole', async () => {
    const stores = await tablesStores(conn(), new FakeClock(), azurite.freshPrefix());
    const request = pendingRequest({ reason: 'é'.repeat(100_000) });
    await stores.requests.create(request);
    expect(await stores.requests.get(request.id)).toEqual(request);
    const next = transition({ ...request, reason: 'short' }, { type: 'approve', by: APPROVER, at: AT });
    await stores.requests.update(next);
    expect(await stores.requests.get(request.id)).toEqual(next);
  });

  test('keys with characters Tables refuses (/ \\ # ?) are stored and kept apart', async () => {
    const stores = await tablesStores(conn(), new FakeClock(), azurite.freshPrefix());
    const now = new Date('2025-01-15T09:00:00.000Z');
    const expiresAt = '2025-01-15T10:00:00.000Z';
    await stores.dialogs.put({ key: '19:a/b#c?d\\e|user', state: { n: 1 }, expiresAt });
    await stores.dialogs.put({ key: '19:a!2F;b#c?d\\e|user', state: { n: 2 }, expiresAt });
    expect((await stores.dialogs.get('19:a/b#c?d\\e|user', now))?.state).toEqual({ n: 1 });
    expect((await stores.dialogs.get('19:a!2F;b#c?d\\e|user', now))?.state).toEqual({ n: 2 });
    expect(await stores.abuse.firstSighting('f:1/2#3', now, 60_000)).toBe(true);
    expect(await stores.abuse.firstSighting('f:1/2#3', now, 60_000)).toBe(false);
  });

  test('two audit logs on one table (two instances) interleave appends into one gap-free chain', async () => {
    const prefix = azurite.freshPrefix();
    const clock = new FakeClock();
    const a = (await tablesStores(conn(), clock, prefix)).audit;
    const b = (await tablesStores(conn(), clock, prefix)).audit;
    const entries = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).append(auditEvent(i + 1))));
    expect(entries.map((e) => e.seq).sort((x, y) => x - y)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    await expect(a.verify()).resolves.toEqual({ intact: true, count: 60 });
  });
});
