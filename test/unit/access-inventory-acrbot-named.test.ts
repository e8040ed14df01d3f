/**
 * A role assignment under the name acrbot gives its grants (roleAssignmentName of its scope,
 * principal and role) that no record of this store refers to: what acrbot's grants look like
 * after the store was switched or restored. `access`, `check` and the tab name it as such, not
 * "granted outside acrbot"; it is still no proof (G15), so it has no end and no request, as an
 * outside one. Any other name at the same scope stays "outside acrbot".
 */
import {
  ACRBOT_NAMED_TEXT,
  buildCells,
  namedAsAcrbotNames,
  type AccessCell,
  type RoleAssignmentPath,
} from '../../src/domain/access-inventory';
import type { RoleAssignmentInfo } from '../../src/domain/azure-model';
import { roleAssignmentName } from '../../src/domain/identifiers';
import type { AccessRequest } from '../../src/domain/request';
import { matrixRows } from '../../src/tab/tab-rows';
import { pathLine } from '../../src/views/access-view';
import { ACRBOT_NAMED_WORDS, askedBy, howAndWho, noHistoryNote } from '../../web/src/format';
import type { Row } from '../../web/src/types';
import { ACR_PULL, cluster, diagnose, identity, KUBELET, NOW, registry, SUB } from './support/pull-diagnosis-fixtures';

const ACRBOTS_NAME = roleAssignmentName(registry.id, KUBELET, ACR_PULL.guid);

function assignment(name: string, over: Partial<RoleAssignmentInfo> = {}): RoleAssignmentInfo {
  return {
    id: `${registry.id}/providers/Microsoft.Authorization/roleAssignments/${name}`,
    name,
    scope: registry.id,
    roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${ACR_PULL.guid}`,
    principalId: KUBELET,
    principalType: 'ServicePrincipal',
    ...over,
  };
}

/** The pair's one cell with `assignments` of the kubelet identity and `requests` in the store. */
function cellWith(assignments: RoleAssignmentInfo[], requests: AccessRequest[] = []): AccessCell {
  const [only] = buildCells({
    clusters: [{ cluster, identity }],
    registries: [registry],
    assignmentsByIdentity: new Map([[KUBELET, assignments]]),
    roles: new Map([[ACR_PULL.guid, ACR_PULL]]),
    requests,
    now: NOW,
  });
  return only!;
}

const roleOf = (c: AccessCell) => c.paths[0] as RoleAssignmentPath;

function tabRow(c: AccessCell) {
  return matrixRows({
    clusters: [cluster],
    registries: [registry],
    unresolvedClusters: [],
    generatedAt: '',
    cells: [c],
  })[0]!;
}

describe("an assignment under acrbot's name with no record in this store", () => {
  const c = cellWith([assignment(ACRBOTS_NAME.toUpperCase())]);

  test('is of origin acrbotNamed: no request, no end, still pulls', () => {
    expect(namedAsAcrbotNames(assignment(ACRBOTS_NAME))).toBe(true);
    expect(roleOf(c)).toMatchObject({ origin: 'acrbotNamed', requests: [], state: 'active' });
    expect(c).toMatchObject({ canPull: true, state: 'active' });
    expect(c.expiresAt).toBeUndefined();
  });

  test('`access` names it so, not "granted outside acrbot"', () => {
    const line = pathLine(roleOf(c), registry.resourceGroup, SUB);
    expect(line).toContain(ACRBOT_NAMED_TEXT);
    expect(line).not.toContain('outside acrbot');
  });

  test('`check` names it so, and the pull has no end date', () => {
    const d = diagnose({ cell: c });
    expect(d.canPull).toBe(true);
    expect(d.findings).toContainEqual({
      topic: 'role',
      level: 'ok',
      text: `AcrPull on the registry itself: ${ACRBOT_NAMED_TEXT}.`,
    });
    expect(d.verdict).toContain(ACRBOT_NAMED_TEXT);
    expect(JSON.stringify(d)).not.toContain('outside acrbot');
    expect(d.findings).toContainEqual({ topic: 'expiry', level: 'ok', text: 'Role-based pull has no end date.' });
  });

  test('the tab names it so, and offers it as no request of acrbot (no requester, no request id)', () => {
    const row = tabRow(c);
    expect(row).toMatchObject({ how: 'acrbot-named-role', kind: 'outside', state: 'active' });
    expect(row.requestId).toBeUndefined();
    expect(row.howText).toBe(`AcrPull role on the registry, ${ACRBOT_NAMED_TEXT}`);
    const page = row as unknown as Row;
    expect(ACRBOT_NAMED_WORDS).toBe(ACRBOT_NAMED_TEXT);
    expect(askedBy(page)).toBe('no record in this store');
    expect(howAndWho(page)).not.toContain('outside acrbot');
    expect(noHistoryNote(page)).toContain(ACRBOT_NAMED_TEXT);
  });
});

describe('what stays "outside acrbot"', () => {
  test.each([
    ['another name at the same scope', assignment('0b1c2d3e-0000-4000-8000-000000000001')],
    // acrbot's name for another role, principal or scope is not this assignment's.
    [
      'the name acrbot derives for another role',
      assignment(roleAssignmentName(registry.id, KUBELET, 'b24988ac-6180-42a0-ab88-20f7382dd24c')),
    ],
    [
      'the name acrbot derives for another principal',
      assignment(roleAssignmentName(registry.id, 'e0000000-0000-4000-8000-0000000000e1', ACR_PULL.guid)),
    ],
  ])('%s', (_what, a) => {
    const c = cellWith([a]);
    expect(roleOf(c).origin).toBe('outside');
    expect(pathLine(roleOf(c), registry.resourceGroup, SUB)).toContain('granted outside acrbot');
    expect(diagnose({ cell: c }).verdict).toContain('granted outside acrbot');
    expect(tabRow(c)).toMatchObject({
      how: 'outside-role',
      howText: 'AcrPull role on the registry, granted outside acrbot',
    });
  });

  test("an acrbot-named assignment a request of this store records is acrbot's, as before", () => {
    const request = {
      id: 'R-AAAAAAAA',
      version: 3,
      state: 'succeeded',
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
        roleAssignmentName: ACRBOTS_NAME,
        operations: [],
      },
      createdAt: '2026-12-01T00:00:00Z',
      expiresAt: '2026-12-02T00:00:00Z',
      updatedAt: '2026-12-01T00:00:00Z',
      decision: { by: { objectId: 'ap', name: 'Alex' }, at: '2026-12-01T01:00:00Z', approved: true },
      origin: { conversationId: 'c', conversationType: 'channel' },
      sandbox: true,
    } as unknown as AccessRequest;
    const c = cellWith([assignment(ACRBOTS_NAME)], [request]);
    expect(roleOf(c)).toMatchObject({ origin: 'acrbot', requests: [{ requestId: 'R-AAAAAAAA' }] });
    expect(pathLine(roleOf(c), registry.resourceGroup, SUB)).not.toContain(ACRBOT_NAMED_TEXT);
  });
});
