/**
 * An assignment under acrbot's name at the id of an acrbot grant whose access ended before Azure
 * made it (made-after-access-ended.ts): the store does record that grant, so "a store switched or
 * restored?" is the wrong guess. `access`, `check` and the tab say it was made again since, name
 * the grant that ended last, and still treat it as not acrbot's. A reader of another tenant, who
 * may not see that grant (tenant-boundary.ts), reads the words of any assignment under acrbot's
 * name with no record, never the grant's id.
 */
import {
  ACRBOT_NAMED_TEXT,
  buildCells,
  type AccessCell,
  type RoleAssignmentPath,
} from '../../src/domain/access-inventory';
import type { RoleAssignmentInfo } from '../../src/domain/azure-model';
import { roleAssignmentName } from '../../src/domain/identifiers';
import type { AccessRequest } from '../../src/domain/request';
import { cellsShown } from '../../src/domain/tenant-boundary';
import { matrixRows } from '../../src/tab/tab-rows';
import { pathLine } from '../../src/views/access-view';
import { ACR_PULL, cluster, diagnose, identity, KUBELET, NOW, registry, SUB } from './support/pull-diagnosis-fixtures';

const NAME = roleAssignmentName(registry.id, KUBELET, ACR_PULL.guid);
const ID = `${registry.id}/providers/Microsoft.Authorization/roleAssignments/${NAME}`;
/** When Azure made the assignment there now: a day after the later grant's access ended. */
const CREATED_ON = '2026-12-21T09:30:00.000Z';

/** A grant of the pair, revoked on `revokedAt`, that recorded creating the assignment at ID. */
function revoked(id: string, revokedAt: string): AccessRequest {
  return {
    id,
    version: 5,
    state: 'revoked',
    tenantId: 't',
    requester: { objectId: 'req', name: 'Riley' },
    reason: 'r',
    plan: {
      kind: 'grant',
      cluster,
      registry,
      identity,
      role: { id: ACR_PULL.guid, name: 'AcrPull' },
      scope: registry.id,
      roleAssignmentName: NAME,
      operations: [],
    },
    created: [{ kind: 'roleAssignment', id: ID, name: NAME, recordedAt: '2026-12-01T00:00:00.000Z' }],
    createdAt: '2026-12-01T00:00:00Z',
    updatedAt: revokedAt,
    decision: { by: { objectId: 'ap', name: 'Alex' }, at: '2026-12-01T01:00:00Z', approved: true },
    access: { expiresAt: '2026-12-30T00:00:00Z', revokedAt, revokedBy: { objectId: 'ap', name: 'Alex' } },
    origin: { conversationId: 'c', conversationType: 'channel' },
    sandbox: true,
  } as unknown as AccessRequest;
}

const listed: RoleAssignmentInfo = {
  id: ID,
  name: NAME,
  scope: registry.id,
  roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${ACR_PULL.guid}`,
  principalId: KUBELET,
  principalType: 'ServicePrincipal',
  createdOn: CREATED_ON,
};

function cellWith(requests: AccessRequest[], assignment: RoleAssignmentInfo = listed): AccessCell {
  const [only] = buildCells({
    clusters: [{ cluster, identity }],
    registries: [registry],
    assignmentsByIdentity: new Map([[KUBELET, [assignment]]]),
    roles: new Map([[ACR_PULL.guid, ACR_PULL]]),
    requests,
    now: NOW,
  });
  return only!;
}

const roleOf = (c: AccessCell) => c.paths.find((p) => p.kind === 'roleAssignment') as RoleAssignmentPath;
const tabText = (c: AccessCell) =>
  matrixRows({ clusters: [cluster], registries: [registry], unresolvedClusters: [], generatedAt: '', cells: [c] }).find(
    (r) => r.how === 'acrbot-named-role',
  )!.howText;

/** Two grants of the pair ended before Azure made it again: R-LATERONE last. */
const c = cellWith([
  revoked('R-LATERONE', '2026-12-20T00:00:00.000Z'),
  revoked('R-EARLIER1', '2026-12-10T00:00:00.000Z'),
]);
const WORDS =
  "made again under acrbot's name after acrbot's grant R-LATERONE (and 1 earlier one) ended (Azure dates it 2026-12-21 09:30 UTC); not acrbot's — acrbot will not change it";

describe('an assignment under acrbot’s name made again after acrbot’s grants there ended', () => {
  test('not acrbot’s (no request, no end), with the ended grants as its reason', () => {
    expect(roleOf(c)).toMatchObject({
      origin: 'acrbotNamed',
      requests: [],
      endedRequestIds: ['R-EARLIER1', 'R-LATERONE'],
      createdOn: CREATED_ON,
    });
    expect(c.expiresAt).toBeUndefined();
  });

  test('`access`, `check` and the tab say it was made again since, not that a store was switched', () => {
    expect(pathLine(roleOf(c), registry.resourceGroup, SUB)).toContain(WORDS);
    const d = diagnose({ cell: c });
    expect(d.findings).toContainEqual({
      topic: 'role',
      level: 'ok',
      text: `AcrPull on the registry itself: ${WORDS}.`,
    });
    expect(tabText(c)).toBe(`AcrPull role on the registry, ${WORDS}`);
    expect(JSON.stringify(d)).not.toContain('store switched or restored');
  });

  test('one grant: named alone', () => {
    const one = cellWith([revoked('R-LATERONE', '2026-12-20T00:00:00.000Z')]);
    expect(pathLine(roleOf(one), registry.resourceGroup, SUB)).toContain(
      "after acrbot's grant R-LATERONE ended (Azure dates it 2026-12-21 09:30 UTC)",
    );
  });

  test("a reader of another tenant: the words of any assignment under acrbot's name, no id", () => {
    const [shown] = cellsShown([c], () => false);
    const path = roleOf(shown!);
    expect(path.endedRequestIds).toBeUndefined();
    const line = pathLine(path, registry.resourceGroup, SUB);
    expect(line).toContain(ACRBOT_NAMED_TEXT);
    expect(line).not.toMatch(/R-LATERONE|R-EARLIER1|made again/);
  });

  test('without createdOn (no time to judge by): the records decide, as before', () => {
    const { createdOn: _none, ...undated } = listed;
    const path = roleOf(cellWith([revoked('R-LATERONE', '2026-12-20T00:00:00.000Z')], undated));
    expect(path).toMatchObject({ origin: 'acrbot' });
    expect(path).not.toHaveProperty('createdOn');
  });
});
