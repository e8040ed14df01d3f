/**
 * `access REGISTRY` and `access CLUSTER` answer "who can pull right now, and how?" first: access
 * that ended (revoked, expired, removed outside acrbot) is listed apart, under its own heading,
 * never among the rows of access that is there now (ended-access.ts); and a card that finds
 * nothing says, in `check`'s words, what acrbot does not read.
 */
import type { InventoryRegistry } from '../../src/domain/access-inventory';
import type { RegistryNetwork } from '../../src/domain/azure-model';
import { cellOf } from '../../src/domain/access-inventory';
import { hasEnded, splitEnded } from '../../src/domain/ended-access';
import type { AdaptiveCardJson } from '../../src/views/card-templates';
import {
  ACCESS_CARD_MAX_ROWS,
  clusterAccessCard,
  ENDED_HEADING,
  NOT_READ_NOTE,
  registryAccessCard,
} from '../../src/views/access-view';
import {
  acrbotRole as role,
  expiredPullSecret,
  inventoryCluster as cluster,
  requestRef as ref,
  revokedGrant,
} from './support/inventory-fixtures';
import { grantPlan } from './support/requests';

const NOW = '2025-01-15T10:00:00.000Z';
const registry = grantPlan().registry as InventoryRegistry;
const identity = grantPlan().identity;
const expiredSecret = expiredPullSecret({ expiresAt: '2025-01-10T10:00:00.000Z' });
/** The registry, its network open to all (no firewall, no private endpoints), with `over` on top. */
const openRegistry = (over: Partial<RegistryNetwork>): InventoryRegistry => ({
  ...registry,
  network: {
    publicNetworkAccess: 'Enabled',
    defaultAction: 'Allow',
    ipRuleCount: 0,
    privateEndpoints: 0,
    anonymousPullEnabled: false,
    ...over,
  },
});

function texts(node: unknown): string {
  return JSON.stringify(node);
}

/** The card's rows of access there now, and its section of access that ended (undefined when none). */
function sections(card: AdaptiveCardJson): { now: string; ended?: string } {
  const body = card.body as Array<{ type: string; items?: Array<{ type: string; text?: string }> }>;
  const ended = body.find((b) => b.items?.[0]?.text === ENDED_HEADING);
  const now = body.find((b) => b !== ended && b.type === 'Container' && b.items?.[0]?.type === 'Container');
  return { now: texts(now ?? ''), ended: ended && texts(ended) };
}

describe('which ways of pulling have ended', () => {
  test('revoked and expired acrbot access has; what Azure lists, an unverified grant or one not listed yet has not', () => {
    expect(hasEnded(revokedGrant())).toBe(true);
    expect(hasEnded(expiredSecret)).toBe(true);
    expect(
      hasEnded({ ...revokedGrant(), state: 'drifted', request: ref({ state: 'drifted', driftDetectedAt: NOW }) }),
    ).toBe(true);
    // An assignment Azure lists pulls, whatever its records say (acrbot is removing it).
    expect(hasEnded(role({ state: 'expired', requests: [ref({ state: 'expired' })] }))).toBe(false);
    expect(hasEnded(role({ origin: 'outside', requests: [] }))).toBe(false);
    expect(hasEnded({ ...revokedGrant(), state: 'unverified', request: ref() })).toBe(false);
    // Granted moments ago, missing only from a listing that lags: not ended.
    const young = { ...revokedGrant(), state: 'drifted' as const, request: ref({ grantedAt: NOW }) };
    expect(hasEnded(young)).toBe(false);
  });

  test('a cell with both is split, each part judged on its own', () => {
    const cell = cellOf(cluster('aks-a'), registry, [role(), revokedGrant(), expiredSecret]);
    const { current, ended } = splitEnded(cell);
    expect(current?.paths.map((p) => p.kind)).toEqual(['roleAssignment']);
    expect(current).toMatchObject({ state: 'active', canPull: true });
    expect(ended?.paths).toHaveLength(2);
    expect(ended).toMatchObject({ state: 'expired', canPull: false });
    expect(ended).not.toHaveProperty('expiresAt');
  });

  test('a cell with nothing ended is returned as it is; one with only ended access has no current part', () => {
    const live = cellOf(cluster('aks-a'), registry, [role()]);
    expect(splitEnded(live)).toEqual({ current: live });
    const gone = splitEnded(cellOf(cluster('aks-b'), registry, [revokedGrant()]));
    expect(gone.current).toBeUndefined();
    expect(gone.ended?.state).toBe('revoked');
  });
});

describe('access REGISTRY', () => {
  const card = registryAccessCard(
    {
      registry,
      cells: [
        cellOf(cluster('aks-live'), registry, [role()]),
        cellOf(cluster('aks-gone'), registry, [revokedGrant('R-GONE0001')]),
        cellOf(cluster('aks-mixed'), registry, [role(), expiredSecret]),
      ],
      unresolvedClusters: [],
      generatedAt: NOW,
    },
    false,
  );
  const { now, ended } = sections(card);

  test('ended access is under its own heading, not among who can pull', () => {
    expect(now).toContain('aks-live');
    expect(now).toContain('aks-mixed');
    expect(now).not.toContain('aks-gone');
    expect(now).not.toContain('Revoked');
    expect(now).not.toContain('R-GONE0001');
    expect(ended).toBeDefined();
    expect(ended).toContain('aks-gone');
    expect(ended).toContain('Revoked');
    expect(ended).toContain('revoked by Alex Approver');
  });

  test('a cluster that pulls and had access end is in both: its ended secret only in the ended section', () => {
    expect(now).not.toContain('R-EXPIRED1');
    expect(ended).toContain('aks-mixed');
    expect(ended).toContain('R-EXPIRED1');
  });

  test('with nothing that ended, no ended section', () => {
    const only = registryAccessCard(
      { registry, cells: [cellOf(cluster('aks-live'), registry, [role()])], unresolvedClusters: [], generatedAt: NOW },
      false,
    );
    expect(sections(only).ended).toBeUndefined();
  });

  test('only ended access: "No cluster … can pull", what acrbot does not read, and the ended rows', () => {
    const only = registryAccessCard(
      {
        registry,
        cells: [cellOf(cluster('aks-gone'), registry, [revokedGrant()])],
        unresolvedClusters: [],
        generatedAt: NOW,
      },
      false,
    );
    expect(texts(only)).toContain(`can pull from ${registry.name}. ${NOT_READ_NOTE}`);
    expect(sections(only).ended).toContain('aks-gone');
  });

  test('ended rows come after the rows of now within the card limit, counted apart', () => {
    const many = registryAccessCard(
      {
        registry,
        cells: [
          ...Array.from({ length: ACCESS_CARD_MAX_ROWS - 2 }, (_, i) =>
            cellOf(cluster(`aks-live${i}`), registry, [role()]),
          ),
          ...Array.from({ length: 5 }, (_, i) => cellOf(cluster(`aks-gone${i}`), registry, [revokedGrant()])),
        ],
        unresolvedClusters: [],
        generatedAt: NOW,
      },
      false,
    );
    const text = texts(many);
    expect(text).not.toContain('more not shown; the Access matrix tab lists them all.');
    expect(text).toContain('3 more that ended not shown');
  });
});

describe('access CLUSTER', () => {
  test('ended access is under its own heading; a cluster with only that says it ended, not "never gave it access"', () => {
    const card = clusterAccessCard(
      {
        cluster: cluster('aks-gone'),
        identity,
        cells: [cellOf(cluster('aks-gone'), registry, [revokedGrant('R-GONE0001')])],
        generatedAt: NOW,
      },
      false,
    );
    const text = texts(card);
    expect(text).toContain(
      'cannot pull from any registry in the subscriptions acrbot manages, and the access acrbot gave it has ended.',
    );
    expect(text).not.toContain('never gave it access');
    expect(sections(card).ended).toContain('R-GONE0001');
  });

  test('finding nothing, it says what acrbot does not read, in the words of check', () => {
    const card = clusterAccessCard({ cluster: cluster('aks-none'), identity, cells: [], generatedAt: NOW }, false);
    // check's own words (NOT_CHECKED_WORDS in pull-diagnosis.ts, which access-view.ts uses), as a sentence.
    expect(texts(card)).toContain(
      'and acrbot never gave it access. Pull secrets and tokens made outside acrbot are not checked.',
    );
  });

  test('a registry with anonymous pull whose only own access ended: its anonymous row is among the rows of now', () => {
    const anonymous = openRegistry({ anonymousPullEnabled: true });
    const card = clusterAccessCard(
      {
        cluster: cluster('aks-a'),
        identity,
        cells: [cellOf(cluster('aks-a'), anonymous, [revokedGrant()])],
        anonymousRegistries: [anonymous],
        generatedAt: NOW,
      },
      false,
    );
    const { now, ended } = sections(card);
    expect(now).toContain('Anonymous pull');
    expect(ended).toContain('Revoked');
    expect(ended).not.toContain('Anonymous pull');
  });

  test('a registry with its admin user on: the current row says so, the ended row does not repeat it', () => {
    const admin = openRegistry({ adminUserEnabled: true });
    const card = clusterAccessCard(
      {
        cluster: cluster('aks-a'),
        identity,
        cells: [cellOf(cluster('aks-a'), admin, [role(), revokedGrant('R-GONE0001')])],
        generatedAt: NOW,
      },
      false,
    );
    const { now, ended } = sections(card);
    expect(now).toContain("The registry's admin user is enabled");
    expect(ended).toContain('R-GONE0001');
    expect(ended).not.toContain('admin user');
  });
});
