/**
 * `access REGISTRY` says the registry's network sentence (unreachable, anonymous pull) once, under
 * its title: it is the same for every cluster, and repeated on each row it buried the rows' own
 * lines. `access CLUSTER` keeps it per row, where each row is another registry.
 */
import type { AccessCell, InventoryRegistry } from '../../src/domain/access-inventory';
import { registryReach } from '../../src/domain/registry-reach';
import { clusterAccessCard, registryAccessCard } from '../../src/views/access-view';
import { acrPullOnRegistry, cluster, identity, NOW, open, registry } from './support/pull-diagnosis-fixtures';

const UNREACHABLE =
  'Public network access to contosoacr is disabled and it has no approved private endpoint, so nothing can reach it.';
const ANONYMOUS = 'Anonymous pull is enabled: anyone who can reach contosoacr.azurecr.io can pull without a role.';

function reg(network: typeof open): InventoryRegistry {
  return { ...registry, network };
}

/** The cells of three clusters on `r`, each with AcrPull, as the inventory builds them for its network. */
function cells(r: InventoryRegistry): AccessCell[] {
  const reach = registryReach(r, r.network);
  return ['aks-a', 'aks-b', 'aks-c'].map((name) => ({
    cluster: { ...cluster, id: `${cluster.id}-${name}`, name },
    registry: r,
    paths: [acrPullOnRegistry({ origin: 'outside' })],
    state: 'active' as const,
    canPull: !reach.unreachable,
    ...(reach.unreachable && { unreachable: reach.finding!.text }),
    ...(reach.anonymous && { anonymousPull: reach.anonymousText! }),
  }));
}

const count = (text: string, part: string) => text.split(part).length - 1;
const registryCard = (r: InventoryRegistry, c = cells(r)) =>
  JSON.stringify(
    registryAccessCard({ registry: r, cells: c, unresolvedClusters: [], generatedAt: NOW.toISOString() }, false),
  );

test('unreachable: the sentence once, every row only labelled "Registry unreachable"', () => {
  const card = registryCard(reg({ ...open, publicNetworkAccess: 'Disabled' }));
  expect(count(card, UNREACHABLE)).toBe(1);
  expect(count(card, '"Registry unreachable"')).toBe(3);
});

test('unreachable with no cluster: the sentence once, not again after "No cluster … can pull"', () => {
  const card = registryCard(reg({ ...open, publicNetworkAccess: 'Disabled' }), []);
  expect(count(card, UNREACHABLE)).toBe(1);
  expect(card).toContain('No cluster in the subscriptions acrbot manages can pull from contosoacr.');
});

test('anonymous pull: the sentence once, without "Every cluster that can reach it can pull anonymously"', () => {
  for (const c of [cells(reg({ ...open, anonymousPullEnabled: true })), []]) {
    const card = registryCard(reg({ ...open, anonymousPullEnabled: true }), c);
    expect(count(card, ANONYMOUS)).toBe(1);
    expect(card).not.toContain('can pull anonymously');
  }
});

test('access CLUSTER keeps the sentence on its row: each row is another registry', () => {
  const [c] = cells(reg({ ...open, publicNetworkAccess: 'Disabled' }));
  const card = JSON.stringify(
    clusterAccessCard({ cluster, identity, cells: [c!], generatedAt: NOW.toISOString() }, false),
  );
  expect(count(card, UNREACHABLE)).toBe(1);
  expect(card).toContain('Registry unreachable');
});
