/**
 * A subscription id is a GUID: ARM, and acrbot's allow-list check, read every letter case of it
 * alike. Each casing a user types must not make SDK clients of its own, which the readers keep
 * for the process's life: the resolver goes on with the allow-listed spelling, and the ARM
 * adapters key their clients without letter case. Real SDK clients over HTTPS to the sandbox's
 * ARM emulator.
 */
import type { ClusterInfo, RegistryInfo } from '../../src/domain/azure-model';
import { parseClusterRef, parseRegistryRef } from '../../src/domain/names';
import { ResourceResolver } from '../../src/flows/resource-resolver';
import { ArmRoleAssignments } from '../../src/integrations/azure/arm-role-assignments';
import { ArmResourceReader } from '../../src/integrations/azure/azure-resource-reader';
import { type Sandbox, startSandbox } from '../../src/sandbox/sandbox';
import { sandboxArm } from '../helpers/sandbox-arm';

/** Many letters, so that it has many spellings. */
const SUB = 'abcdefab-cdef-4abc-8def-abcdefabcdef';
const GROUP = 'rg-casing';
const PRINCIPAL = '0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e';

/** 40 distinct letter-case spellings of SUB (the first is SUB itself). */
const CASINGS = Array.from({ length: 40 }, (_, i) =>
  SUB.replace(/[a-f]/g, (c: string, at: number) => ((i >> (at % 12)) & 1 ? c.toUpperCase() : c)),
);

/** The reader's client caches (private): one entry per subscription it made clients for. */
type Caches = Record<'aks' | 'acr' | 'aksRest' | 'acrRest', Map<string, unknown>>;
const caches = (reader: ArmResourceReader) => reader as unknown as Caches;

let sandbox: Sandbox;
let cluster: { id: string };
let registry: { id: string };
let conn: ReturnType<typeof sandboxArm>['conn'];

beforeAll(async () => {
  sandbox = await startSandbox();
  conn = sandboxArm(sandbox).conn;
  cluster = sandbox.arm.state.addCluster({
    subscriptionId: SUB,
    resourceGroup: GROUP,
    name: 'aks-casing',
    identity: 'SystemAssigned',
  });
  registry = sandbox.arm.state.addRegistry({ subscriptionId: SUB, resourceGroup: GROUP, name: 'casingacr' });
});
afterAll(async () => {
  conn.agent?.destroy();
  await sandbox.stop();
});

test('the 40 casings are distinct', () => {
  expect(new Set(CASINGS).size).toBe(40);
});

test('the resolver passes the allow-listed spelling on, whatever casing was typed', async () => {
  const reader = new ArmResourceReader(conn);
  const asked: string[] = [];
  const spy: ArmResourceReader = Object.create(reader);
  spy.getCluster = (s, g, n) => (asked.push(s), reader.getCluster(s, g, n));
  spy.getRegistry = (s, g, n) => (asked.push(s), reader.getRegistry(s, g, n));
  const resolver = new ResourceResolver(spy, [SUB]);
  const clusters: ClusterInfo[] = [];
  const registries: RegistryInfo[] = [];
  for (const s of CASINGS) {
    clusters.push(await resolver.resolveCluster(parseClusterRef(cluster.id.replace(SUB, s))));
    registries.push(await resolver.resolveRegistry(parseRegistryRef(registry.id.replace(SUB, s))));
  }
  expect(new Set(asked)).toEqual(new Set([SUB]));
  expect(new Set(clusters.map((c) => c.id))).toEqual(new Set([cluster.id]));
  expect(new Set(registries.map((r) => r.id))).toEqual(new Set([registry.id]));
  const { aks, acr, aksRest, acrRest } = caches(reader);
  expect([aks.size, acr.size, aksRest.size, acrRest.size]).toEqual([1, 1, 1, 1]);
});

test('the resource reader keeps one set of clients per subscription, whatever the casing it is asked with', async () => {
  const reader = new ArmResourceReader(conn);
  for (const s of CASINGS) {
    expect((await reader.getCluster(s, GROUP, 'aks-casing'))?.id).toBe(cluster.id);
    expect((await reader.getRegistry(s, GROUP, 'casingacr'))?.id).toBe(registry.id);
  }
  const { aks, acr, aksRest, acrRest } = caches(reader);
  expect([aks.size, acr.size, aksRest.size, acrRest.size]).toEqual([1, 1, 1, 1]);
  expect(reader.aksClient(CASINGS[7])).toBe(reader.aksClient(CASINGS[0]));
  expect(reader.acrClient(CASINGS[7])).toBe(reader.acrClient(CASINGS[0]));
});

test('the role assignments adapter keeps one client per subscription, whatever the casing of the scope', async () => {
  const roles = new ArmRoleAssignments(conn);
  for (const s of CASINGS) expect(await roles.listForPrincipal(registry.id.replace(SUB, s), PRINCIPAL)).toEqual([]);
  const { clients, rests } = roles as unknown as Record<'clients' | 'rests', Map<string, unknown>>;
  expect([clients.size, rests.size]).toEqual([1, 1]);
});
