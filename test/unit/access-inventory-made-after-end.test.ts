/**
 * The inventory's join (`access`, `check`, the tab) judges a role assignment at the id an ended
 * grant recorded as the orphan watch does (made-after-access-ended.ts): one Azure made after the
 * grant's access ended is someone else's, made since under the same deterministic name. It is
 * shown as any assignment no record proves, for the grant's own cluster and for a cluster that
 * shares its identity, and the grant is shown as ended. Within the clock-skew margin, without
 * `createdOn`, or behind a grant still `succeeded` (a revocation under way deletes what is at its
 * id), the records decide, as before.
 */
import { buildCells, type AccessCell, type PullPath } from '../../src/domain/access-inventory';
import type { RoleAssignmentInfo } from '../../src/domain/azure-model';
import { CREATED_ON_SKEW_MS } from '../../src/domain/made-after-access-ended';
import type { AccessRequest } from '../../src/domain/request';
import { matrixRows } from '../../src/tab/tab-rows';
import { acrPullDefinition } from './support/role-definitions';
import { aksA, aksB, assignment, grantForA, NOW, registry, SHARED_KUBELET } from './support/shared-identity';

/** When aks-a's grant was revoked (by a person, before its end). */
const REVOKED_AT = '2026-12-20T00:00:00.000Z';
const HOUR = 60 * 60 * 1000;
const later = (ms: number) => new Date(Date.parse(REVOKED_AT) + ms).toISOString();

/** aks-a's grant, revoked on REVOKED_AT; its assignment deleted then. */
function revokedGrant(): AccessRequest {
  const r = grantForA();
  return {
    ...r,
    state: 'revoked',
    access: { ...r.access!, revokedAt: REVOKED_AT, revokedBy: { objectId: 'ap', name: 'Alex' } },
  };
}

const identity = { kind: 'kubelet' as const, objectId: SHARED_KUBELET, description: 'kubelet' };

/** Both clusters' cells, with Azure listing `listed` for the shared identity. */
function cells(listed: RoleAssignmentInfo, requests: AccessRequest[]): AccessCell[] {
  return buildCells({
    clusters: [
      { cluster: aksA, identity },
      { cluster: aksB, identity },
    ],
    registries: [registry],
    assignmentsByIdentity: new Map([[SHARED_KUBELET, [listed]]]),
    roles: new Map([[acrPullDefinition().guid, acrPullDefinition()]]),
    requests,
    now: new Date(NOW),
  });
}

const pathsOf = (all: AccessCell[], name: string): PullPath[] => all.find((c) => c.cluster.name === name)!.paths;

describe('the assignment at an ended grant’s id, made after its access ended', () => {
  const all = cells({ ...assignment, createdOn: later(3 * HOUR) }, [revokedGrant()]);

  test("its own cluster: not acrbot's (no request, no end), and the grant shown as revoked", () => {
    const paths = pathsOf(all, 'aks-a');
    expect(paths).toEqual([
      expect.objectContaining({ kind: 'roleAssignment', origin: 'outside', requests: [], state: 'active' }),
      expect.objectContaining({
        kind: 'endedGrant',
        state: 'revoked',
        request: expect.objectContaining({ requestId: 'R-AAAAAAAA' }),
      }),
    ]);
    expect(paths[0]).not.toHaveProperty('endedRequestIds');
    expect(all.find((c) => c.cluster.name === 'aks-a')).toMatchObject({ state: 'active', canPull: true });
  });

  test('a cluster sharing the identity: not through that grant either', () => {
    expect(pathsOf(all, 'aks-b')).toEqual([
      expect.objectContaining({ kind: 'roleAssignment', origin: 'outside', requests: [] }),
    ]);
    expect(pathsOf(all, 'aks-b')[0]).not.toHaveProperty('sharedRequests');
  });

  test('the tab: a row outside acrbot, and the ended grant its own row', () => {
    const rows = matrixRows({
      clusters: [aksA],
      registries: [registry],
      unresolvedClusters: [],
      generatedAt: NOW,
      cells: all.filter((c) => c.cluster.name === 'aks-a'),
    });
    expect(rows).toEqual([
      expect.objectContaining({ kind: 'outside', how: 'outside-role', requestId: undefined }),
      expect.objectContaining({ kind: 'grant', requestId: 'R-AAAAAAAA', state: 'revoked' }),
    ]);
  });
});

describe("still the grant's, as before", () => {
  test.each([
    ['made within the clock-skew margin of the end', later(CREATED_ON_SKEW_MS)],
    ['made before the end', later(-HOUR)],
    ['a listing without createdOn', undefined],
  ])('%s', (_what, createdOn) => {
    const all = cells({ ...assignment, ...(createdOn && { createdOn }) }, [revokedGrant()]);
    expect(pathsOf(all, 'aks-a')).toEqual([
      expect.objectContaining({
        kind: 'roleAssignment',
        origin: 'acrbot',
        requests: [expect.objectContaining({ requestId: 'R-AAAAAAAA', state: 'revoked' })],
      }),
    ]);
    expect(pathsOf(all, 'aks-b')).toEqual([
      expect.objectContaining({ sharedRequests: [expect.objectContaining({ requestId: 'R-AAAAAAAA' })] }),
    ]);
  });

  test('a grant still succeeded whose revocation began: it deletes what is at its id, so it holds it', () => {
    const r = grantForA();
    const revoking = { ...r, access: { ...r.access!, revokingSince: REVOKED_AT } };
    const all = cells({ ...assignment, createdOn: later(3 * HOUR) }, [revoking]);
    expect(pathsOf(all, 'aks-a')).toEqual([
      expect.objectContaining({
        kind: 'roleAssignment',
        origin: 'acrbot',
        requests: [expect.objectContaining({ requestId: 'R-AAAAAAAA', revokingSince: REVOKED_AT })],
      }),
    ]);
  });
});
