/**
 * Inside the listing-lag grace (src/domain/listing-lag.ts), `check` and the `access` card count
 * from the grant, not from an approval: a break-glass grant (approved by nobody) and a grant whose
 * run came long after its approval, both made minutes ago and missing from Azure's listing, read
 * "not in Azure's listing … yet: it was granted …" in both, in the same words, never "removed
 * outside acrbot". Past the grace they read removed. Built as `access` and `check` build them:
 * the request's reference (requestRef), the drift they saw (findDrift), the cells (buildCells).
 * `access REGISTRY` builds its cells without that drift (flows/access-inventory.ts `forRegistry`),
 * its request still reading live, and says the same.
 */
import { buildCells, findDrift, type InventoryRegistry } from '../../src/domain/access-inventory';
import { LISTING_LAG_GRACE_MS, NOT_LISTED_YET_LABEL } from '../../src/domain/listing-lag';
import { diagnosePull, notListedYetText } from '../../src/domain/pull-diagnosis';
import type { AccessRequest } from '../../src/domain/request';
import { clusterAccessCard, registryAccessCard } from '../../src/views/access-view';
import { breakGlassRequest } from './support/break-glass';
import { OLIVE } from './support/policy-fixtures';
import { APPROVER, grantPlan, pendingRequest } from './support/requests';
import { acrPullDefinition } from './support/role-definitions';

const plan = grantPlan();
const KUBELET = plan.identity.objectId;
const registry: InventoryRegistry = { ...plan.registry, roleAssignmentMode: 'LegacyRegistryPermissions' };
const NOW = new Date('2027-01-01T00:00:00.000Z');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const before = (ms: number) => new Date(NOW.getTime() - ms).toISOString();

/** A 4-hour term that began `grantedAgo` ms before NOW. */
const term = (grantedAgo: number) => ({
  durationMs: 4 * HOUR,
  expiresAt: new Date(NOW.getTime() - grantedAgo + 4 * HOUR).toISOString(),
});

/** A break-glass grant its requester ran `grantedAgo` ms before NOW. */
const breakGlass = (grantedAgo: number): AccessRequest =>
  breakGlassRequest(
    OLIVE,
    before(grantedAgo),
    { dueAt: before(-HOUR) },
    { id: 'R-BREAKGLS', state: 'succeeded', access: term(grantedAgo) },
  );

/** A grant approved three hours before NOW whose run granted it `grantedAgo` ms before NOW. */
const ranLate = (grantedAgo: number): AccessRequest =>
  pendingRequest({
    id: 'R-RANLATE1',
    state: 'succeeded',
    decision: { by: APPROVER, at: before(3 * HOUR), approved: true },
    access: term(grantedAgo),
  });

/** `check aks-prod contosoacr` and `access aks-prod` at NOW with `request`'s assignment missing from the listing. */
function answers(request: AccessRequest) {
  const drift = findDrift(KUBELET, [], [request]);
  expect(drift).toEqual([expect.objectContaining({ requestId: request.id, kind: 'deleted' })]);
  const facts = {
    clusters: [{ cluster: plan.cluster, identity: plan.identity }],
    registries: [registry],
    assignmentsByIdentity: new Map(),
    roles: new Map([[acrPullDefinition().guid, acrPullDefinition()]]),
    requests: [request],
    now: NOW,
  };
  const cells = buildCells({ ...facts, drift });
  // `access contosoacr`: no drift passed, so the grant's reference still reads live (a 4-hour term: expiring).
  const registryCells = buildCells(facts);
  expect(registryCells[0].paths).toEqual([
    expect.objectContaining({
      kind: 'endedGrant',
      state: 'drifted',
      request: expect.objectContaining({ state: 'expiring' }),
    }),
  ]);
  const check = diagnosePull({
    cluster: plan.cluster,
    registry,
    identity: plan.identity,
    network: { publicNetworkAccess: 'Enabled', ipRuleCount: 0, privateEndpoints: 0, anonymousPullEnabled: false },
    cell: cells[0],
    typedAs: { cluster: 'name', registry: 'name' },
    now: NOW,
  });
  const access = JSON.stringify(
    clusterAccessCard({ cluster: plan.cluster, identity: plan.identity, cells, generatedAt: NOW.toISOString() }, true),
  );
  const byRegistry = JSON.stringify(
    registryAccessCard(
      { registry, cells: registryCells, unresolvedClusters: [], generatedAt: NOW.toISOString() },
      true,
    ),
  );
  return { check, checkText: [check.verdict, ...check.findings.map((f) => f.text)].join('\n'), access, byRegistry };
}

describe.each([
  ['a break-glass grant', breakGlass],
  ['a grant run three hours after its approval', ranLate],
])('%s made 2 minutes ago, missing from the listing', (_, made) => {
  const request = made(2 * MINUTE);
  const words = notListedYetText(before(2 * MINUTE));

  test('check says it is not listed yet, granted 2 minutes ago; not removed', () => {
    const { check, checkText } = answers(request);
    expect(check.findings).toContainEqual({
      topic: 'drift',
      level: 'warn',
      text: `acrbot's grant ${request.id} (AcrPull) is ${words}. acrbot looks again later.`,
    });
    expect(words).toContain('it was granted 2026-12-31 23:58 UTC');
    expect(check.fix).toBe('Check again in a few minutes: @acrbot check aks-prod contosoacr');
    expect(checkText).not.toContain('removed outside acrbot');
  });

  test("the access card says the same words, labelled not in Azure's listing yet; not removed", () => {
    const { access } = answers(request);
    expect(access).toContain("Not in Azure's listing yet");
    expect(access).toContain(`— ${words}`);
    expect(access).not.toMatch(/removed outside acrbot/i);
  });

  test("the registry's access card, built without the drift, says what the cluster's does", () => {
    const { byRegistry } = answers(request);
    expect(byRegistry).toContain(`"${NOT_LISTED_YET_LABEL}"`);
    expect(byRegistry).toContain(`— ${words}`);
    expect(byRegistry).not.toMatch(/removed outside acrbot/i);
  });

  test('granted as long ago as the grace: all three say removed outside acrbot', () => {
    const { checkText, access, byRegistry } = answers(made(LISTING_LAG_GRACE_MS));
    expect(checkText).toContain('was removed outside acrbot');
    for (const card of [access, byRegistry]) {
      expect(card).toContain('Removed outside acrbot');
      expect(card).toContain('— removed outside acrbot');
      expect(card).not.toContain("not in Azure's listing");
    }
  });
});
