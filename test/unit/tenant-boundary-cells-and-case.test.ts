/**
 * The tenant boundary's pure pieces, asked directly: a tenant id matches in either case (Teams and
 * Entra print GUIDs both ways), and a reader's cells leave out another tenant's pull secrets and
 * ended grants, the requests of other clusters sharing an assignment with theirs, and the state of
 * an assignment held only by another tenant's grant (which would tell when that access ends).
 */
import {
  cellOf,
  type AcrbotRequestRef,
  type EndedGrantPath,
  type PullSecretPath,
  type RoleAssignmentPath,
} from '../../src/domain/access-inventory';
import {
  byTenant,
  cellsShown,
  isServedTenant,
  ofTenant,
  sameTenant,
  showsTenant,
  tenantNotServed,
} from '../../src/domain/tenant-boundary';
import { acrPullOnRegistry, cluster, registry } from './support/pull-diagnosis-fixtures';

const TENANT = '5b1e2c3d-0000-4000-8000-00000000a0a0';
const OTHER = '7c2f0000-0000-4000-8000-00000000b0b0';

function ref(requestId: string, state = 'active'): AcrbotRequestRef {
  return {
    requestId,
    requesterName: `Requester of ${requestId}`,
    requesterId: requestId.toLowerCase(),
    approvedBy: 'Alex Approver',
    state,
    expiresAt: '2030-01-01T00:00:00.000Z',
  } as unknown as AcrbotRequestRef;
}

/** acrbot's AcrPull on the registry for `requests`, expiring; `extra` changes any of it. */
const assignment = (requests: AcrbotRequestRef[], extra: Partial<RoleAssignmentPath> = {}): RoleAssignmentPath =>
  acrPullOnRegistry({ requests, state: 'expiring', ...extra });

const secret = (requestId: string): PullSecretPath =>
  ({
    kind: 'pullSecret',
    namespace: 'payments',
    secretName: `acr-${requestId.toLowerCase()}`,
    credentialKind: 'token',
    request: ref(requestId),
    state: 'active',
  }) as unknown as PullSecretPath;

const ended = (requestId: string): EndedGrantPath => ({
  kind: 'endedGrant',
  assignmentId: `${registry.id}/providers/Microsoft.Authorization/roleAssignments/old-${requestId}`,
  roleName: 'AcrPull',
  scope: registry.id,
  request: ref(requestId, 'revoked'),
  state: 'revoked',
});

const ownOnly = (id: string) => id.startsWith('R-OWN');

describe('tenant ids', () => {
  test('match in either case, and only the same id', () => {
    expect(sameTenant(TENANT, TENANT.toUpperCase())).toBe(true);
    expect(sameTenant(TENANT, OTHER)).toBe(false);
    expect(ofTenant({ tenantId: TENANT.toUpperCase() }, TENANT)).toBe(true);
    expect(isServedTenant(TENANT.toUpperCase(), [OTHER, TENANT])).toBe(true);
    expect(isServedTenant(TENANT, [OTHER])).toBe(false);
    const mine = { id: 'R-OWN1', tenantId: TENANT.toUpperCase() };
    const theirs = { id: 'R-OTHER1', tenantId: OTHER };
    expect(byTenant([theirs, mine], TENANT)).toEqual({ own: [mine], elsewhere: [theirs] });
    const shows = showsTenant([mine, theirs], TENANT);
    expect([shows('R-OWN1'), shows('R-OTHER1'), shows('R-UNKNOWN')]).toEqual([true, false, false]);
  });

  test('a tenant is not served only when a list of served tenants leaves it out, in either case', () => {
    expect(tenantNotServed(TENANT, [OTHER])).toBe(true);
    expect(tenantNotServed(TENANT.toUpperCase(), [OTHER, TENANT])).toBe(false);
    // No list, or an empty one (flows run without config): no boundary drawn.
    expect(tenantNotServed(TENANT, undefined)).toBe(false);
    expect(tenantNotServed(TENANT, [])).toBe(false);
  });
});

describe("a reader's cells", () => {
  test("another tenant's pull secret and ended grant are left out; the reader's own stay", () => {
    const cell = cellOf(cluster, registry, [secret('R-OTHER1'), secret('R-OWN1'), ended('R-OTHER2'), ended('R-OWN2')]);
    const [shown] = cellsShown([cell], ownOnly);
    const ids = shown!.paths.map((p) => (p.kind === 'roleAssignment' ? undefined : p.request.requestId));
    expect(ids).toEqual(['R-OWN1', 'R-OWN2']);
  });

  test("a cell with only another tenant's secret is not there at all", () => {
    expect(cellsShown([cellOf(cluster, registry, [secret('R-OTHER1')])], ownOnly)).toEqual([]);
  });

  test("another tenant's requests sharing the assignment are left out", () => {
    const path = assignment([ref('R-OWN1')], { sharedRequests: [ref('R-OTHER1'), ref('R-OWN2')] });
    const [shown] = cellsShown([cellOf(cluster, registry, [path])], ownOnly);
    const narrowed = shown!.paths[0] as RoleAssignmentPath;
    expect(narrowed.requests.map((r) => r.requestId)).toEqual(['R-OWN1']);
    expect(narrowed.sharedRequests?.map((r) => r.requestId)).toEqual(['R-OWN2']);
    expect(JSON.stringify(shown)).not.toContain('R-OTHER1');
  });

  test("an assignment held only by another tenant's grants is an active way of pulling, without their term", () => {
    const path = assignment([ref('R-OTHER1', 'expiring')], { sharedRequests: [ref('R-OTHER2', 'expiring')] });
    const [shown] = cellsShown([cellOf(cluster, registry, [path])], ownOnly);
    const narrowed = shown!.paths[0] as RoleAssignmentPath;
    expect(narrowed.requests).toEqual([]);
    expect(narrowed.sharedRequests).toBeUndefined();
    expect(narrowed.state).toBe('active');
    expect(JSON.stringify(shown)).not.toMatch(/R-OTHER|expiring/);
  });

  test('a reader who may see every request gets the cells as they are', () => {
    const cell = cellOf(cluster, registry, [secret('R-OTHER1'), assignment([ref('R-OTHER2')])]);
    expect(cellsShown([cell], () => true)[0]).toBe(cell);
  });
});
