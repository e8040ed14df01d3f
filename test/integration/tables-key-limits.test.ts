/**
 * Keys built from values users and Azure choose, on Azurite, which refuses keys over 512 UTF-16
 * code units (the service's 1 KiB) with a bare 400 `InvalidInput`: ARM ids with 90-character
 * resource group names (valid in Azure), a secret's lease naming its cluster, namespace and
 * secret, Teams conversation ids in dialog and redelivery keys. Each store keeps the key under
 * the limit (digests) and still finds, lists and expires what it wrote; what cannot be made to
 * fit is refused by name before anything is sent. Documents split over properties come back as
 * written, whatever characters sit at a split.
 */
import type { TableClient } from '@azure/data-tables';
import { accessLeaseKey } from '../../src/flows/access-lease';
import { transition } from '../../src/domain/request';
import { keyPart, openTablesAccount } from '../../src/integrations/store/tables-client';
import {
  TablesAbuseLedger,
  TablesDialogStore,
  TablesLeaseStore,
} from '../../src/integrations/store/tables-coordination';
import { TablesRequestStore } from '../../src/integrations/store/tables-request-store';
import { useAzurite } from '../helpers/azurite';
import { APPROVER, grantPlan, pendingRequest, REQUESTER, secretPlan } from '../unit/support/requests';

jest.setTimeout(60_000);

const world = useAzurite();
const AT = new Date('2025-01-15T10:00:00.000Z');
const SUB = '3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b';
/** A resource group name of 90 characters, the longest Azure allows. */
const rg = (name: string) => `${name}-${'x'.repeat(89 - name.length)}`;
const LONG_CLUSTER_ID = `/subscriptions/${SUB}/resourceGroups/${rg('rg-kubernetes-payments-weu-prod')}/providers/Microsoft.ContainerService/managedClusters/aks-payments-weu-prod-01`;
const LONG_REGISTRY_ID = `/subscriptions/${SUB}/resourceGroups/${rg('rg-containerregistry-shared-weu-prod')}/providers/Microsoft.ContainerRegistry/registries/contosoplatformacrweuprod`;

async function table(name: string, prefix = world.azurite.freshPrefix()): Promise<TableClient> {
  return openTablesAccount(world.conn(), prefix).table(name);
}

/** A grant on the cluster and registry with long resource group names. */
function longPlan() {
  const g = grantPlan();
  return {
    ...g,
    cluster: { ...g.cluster, id: LONG_CLUSTER_ID, resourceGroup: rg('rg-kubernetes-payments-weu-prod') },
    registry: { ...g.registry, id: LONG_REGISTRY_ID, resourceGroup: rg('rg-containerregistry-shared-weu-prod') },
  };
}

const ids = (rs: { id: string }[]) => rs.map((r) => r.id);

describe('Azure Tables keys built from long values', () => {
  test('requests on a cluster and registry with 90-character resource group names are created, moved and listed', async () => {
    const store = new TablesRequestStore(await table('requests'));
    const first = pendingRequest({ id: 'R-LONG0001', plan: longPlan() });
    const second = pendingRequest({ id: 'R-LONG0002', plan: longPlan(), createdAt: '2025-01-15T09:05:00.000Z' });
    await store.create(first);
    await store.create(second);
    // Case-insensitive ids, as before.
    const [cluster, registry] = [LONG_CLUSTER_ID.toUpperCase(), LONG_REGISTRY_ID.toLowerCase()];
    expect(ids(await store.listByTarget(cluster, registry, ['pending']))).toEqual([first.id, second.id]);
    await store.update(transition(first, { type: 'approve', by: APPROVER, at: AT }));
    expect(ids(await store.listByTarget(cluster, registry, ['pending']))).toEqual([second.id]);
    expect(ids(await store.listByTarget(cluster, registry, ['approved']))).toEqual([first.id]);
    expect(ids(await store.listByRegistry(registry, ['approved', 'pending']))).toEqual([first.id, second.id]);
    expect(ids(await store.listByRequester(REQUESTER.objectId, ['pending']))).toEqual([second.id]);
    // Another pair on the same registry is not listed under this one.
    expect(await store.listByTarget(`${cluster}-2`, registry, ['pending', 'approved'])).toEqual([]);
  });

  test('a key that cannot be made to fit is refused by name before it is sent', async () => {
    const store = new TablesRequestStore(await table('requests'));
    const request = pendingRequest({ id: `R-${'X'.repeat(600)}` });
    await expect(store.create(request)).rejects.toThrow(
      /^row key of \d+ characters in table \w+requests is over the 512 Azure Table Storage takes: r\|R-XXXX/,
    );
  });

  test('the lease of a secret with a long cluster id, namespace and name is taken, renewed, released and taken over', async () => {
    const t = await table('leases');
    let now = AT.getTime();
    const a = new TablesLeaseStore(t, () => new Date(now));
    const b = new TablesLeaseStore(t, () => new Date(now));
    const plan = secretPlan({ namespace: 'n'.repeat(63), secretName: `acr-pull-${'s'.repeat(240)}` });
    const key = accessLeaseKey({ ...plan, cluster: { ...plan.cluster, id: LONG_CLUSTER_ID } });
    expect(keyPart(key).length).toBeGreaterThan(512);
    const lease = await a.acquire(key, 'instance-a', 10_000);
    expect(lease).toMatchObject({ key, owner: 'instance-a', fence: 1 });
    await expect(b.acquire(key, 'instance-b', 10_000)).resolves.toBeUndefined();
    await expect(b.holder(key)).resolves.toMatchObject({ owner: 'instance-a', fence: 1 });
    const renewed = await a.renew(lease!, 10_000);
    await a.release(renewed);
    now += 1;
    await expect(b.acquire(key, 'instance-b', 10_000)).resolves.toMatchObject({ owner: 'instance-b', fence: 2 });
  });

  test('a lease key that fitted before keeps its partition: old and new instances take the same lease', async () => {
    const t = await table('leases');
    const key = accessLeaseKey(secretPlan());
    await new TablesLeaseStore(t, () => AT).acquire(key, 'new-instance', 10_000);
    // Where an older version looks for it.
    await expect(t.getEntity(keyPart(key), '')).resolves.toMatchObject({ owner: 'new-instance' });
  });

  test('a dialog in a conversation whose id escapes to more than a key holds is kept, read and purged', async () => {
    const dialogs = new TablesDialogStore(await table('dialogs'));
    // 300 characters of the conversation id (what dialogKey keeps), every one escaped (4 each).
    const key = `19:${';'.repeat(297)}|${REQUESTER.objectId}`;
    const expiresAt = new Date(AT.getTime() + 60_000).toISOString();
    await dialogs.put({ key, state: { step: 'reason' }, expiresAt });
    await expect(dialogs.get(key, AT)).resolves.toEqual({ key, state: { step: 'reason' }, expiresAt });
    await expect(dialogs.purgeExpired(AT)).resolves.toBe(0);
    await expect(dialogs.purgeExpired(new Date(expiresAt))).resolves.toBe(1);
    await expect(dialogs.get(key, AT)).resolves.toBeUndefined();
  });

  test('a redelivery sighting and a rate window with long keys count once and are forgotten', async () => {
    const ledger = new TablesAbuseLedger(await table('abuse'));
    const activity = `activity:19:${'?'.repeat(298)}|1736935200000`;
    await expect(ledger.firstSighting(activity, AT, 86_400_000)).resolves.toBe(true);
    await expect(ledger.firstSighting(activity, AT, 86_400_000)).resolves.toBe(false);
    await expect(ledger.forgetExpiredSightings(new Date(AT.getTime() + 86_400_000))).resolves.toBe(1);
    await expect(ledger.firstSighting(activity, AT, 86_400_000)).resolves.toBe(true);
    const rate = `rate:${'#'.repeat(200)}`;
    await expect(ledger.hit(rate, AT, 60_000)).resolves.toBe(1);
    await expect(ledger.hit(rate, AT, 60_000)).resolves.toBe(2);
  });
});

describe('Azure Tables documents split over properties', () => {
  test('a character outside the BMP (two UTF-16 code units) at a split comes back whole', async () => {
    const t = await table('requests');
    const store = new TablesRequestStore(t);
    const base = pendingRequest({ id: 'R-EMOJI001' });
    // The reason's place in the document, then enough of it that the emoji's two halves are the
    // 30,000th and 30,001st code units: the first property (30,000 units) would end between them.
    const at = JSON.stringify({ ...base, reason: 'MARK' }).indexOf('MARK');
    const request = { ...base, reason: `${'r'.repeat(29_999 - at)}🔑 and more` };
    expect(JSON.stringify(request).indexOf('🔑')).toBe(29_999);
    await store.create(request);
    await expect(store.get(request.id)).resolves.toEqual(request);
    // Each property as stored holds whole characters: Azurite keeps a lone half and gives it
    // back, but a service that checks or transcodes each string (Azure's is UTF-16 .NET) need not.
    const row = await t.getEntity<Record<string, unknown>>('req', `r|${request.id}`);
    const chunks = Object.keys(row)
      .filter((name) => /^doc\d+$/.test(name))
      .map((name) => String(row[name]));
    expect(chunks).toHaveLength(2);
    const halfAtAnEnd = (chunk: string) => /[\uD800-\uDBFF]$/.test(chunk) || /^[\uDC00-\uDFFF]/.test(chunk);
    expect(chunks.map(halfAtAnEnd)).toEqual([false, false]);
  });
});
