/**
 * The tab's page, for an assignment under acrbot's name made again after acrbot's grants there
 * ended (access-inventory-made-again-words.test.ts has chat's words): the API sends the ended
 * grants the caller may see and Azure's date of the assignment, and the page (web/src/format.ts)
 * words the row as chat does, not as "no record in this store (a store switched or restored?)".
 * A caller of another tenant is sent none of those ids (tenant-boundary.ts), in no field.
 */
import { ACRBOT_NAMED_TEXT, acrbotNamedText, buildCells, type AccessCell } from '../../src/domain/access-inventory';
import type { RoleAssignmentInfo } from '../../src/domain/azure-model';
import { roleAssignmentName } from '../../src/domain/identifiers';
import type { AccessRequest } from '../../src/domain/request';
import { matrixRows } from '../../src/tab/tab-rows';
import { acrbotNamedWords, askedBy, askedByKey, howAndWho, howShort, noHistoryNote } from '../../web/src/format';
import type { Row } from '../../web/src/types';
import { ACR_PULL, cluster, identity, KUBELET, NOW, registry, SUB } from './support/pull-diagnosis-fixtures';

const NAME = roleAssignmentName(registry.id, KUBELET, ACR_PULL.guid);
const ID = `${registry.id}/providers/Microsoft.Authorization/roleAssignments/${NAME}`;
/** When Azure made the assignment there now: after both grants' access ended. */
const CREATED_ON = '2026-12-21T09:30:00.000Z';

/** A grant of the pair of `tenantId`, revoked on `revokedAt`, that recorded creating the assignment at ID. */
function revoked(id: string, revokedAt: string, tenantId = 't'): AccessRequest {
  return {
    id,
    version: 5,
    state: 'revoked',
    tenantId,
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

function cellWith(requests: AccessRequest[]): AccessCell {
  const [only] = buildCells({
    clusters: [{ cluster, identity }],
    registries: [registry],
    assignmentsByIdentity: new Map([[KUBELET, [listed]]]),
    roles: new Map([[ACR_PULL.guid, ACR_PULL]]),
    requests,
    now: NOW,
  });
  return only!;
}

/** The tab's row of the assignment, as a caller who sees the requests `shows` accepts is sent it. */
function namedRow(c: AccessCell, shows: (id: string) => boolean = () => true): Row {
  const rows = matrixRows(
    { clusters: [cluster], registries: [registry], unresolvedClusters: [], generatedAt: '', cells: [c] },
    shows,
  );
  return rows.find((r) => r.how === 'acrbot-named-role')!;
}

/** R-LATERONE (tenant t) ended last; R-EARLIER1 of `earlierTenant` before it. */
const cellOf = (earlierTenant = 't') =>
  cellWith([
    revoked('R-LATERONE', '2026-12-20T00:00:00.000Z'),
    revoked('R-EARLIER1', '2026-12-10T00:00:00.000Z', earlierTenant),
  ]);
const WORDS =
  "made again under acrbot's name after acrbot's grant R-LATERONE (and 1 earlier one) ended (Azure dates it 2026-12-21 09:30 UTC); not acrbot's — acrbot will not change it";

describe('the tab: an assignment under acrbot’s name made again after acrbot’s grants there ended', () => {
  test('the API sends the ended grants and when Azure made it', () => {
    const row = namedRow(cellOf());
    expect(row).toMatchObject({
      kind: 'outside',
      endedRequestIds: ['R-EARLIER1', 'R-LATERONE'],
      createdOn: CREATED_ON,
      howText: `AcrPull role on the registry, ${WORDS}`,
    });
    expect(row.requestId).toBeUndefined();
  });

  test('the page words it as chat does: made again, naming the grant, not "no record in this store"', () => {
    const row = namedRow(cellOf());
    expect(acrbotNamedWords(row)).toBe(WORDS);
    // The drawer shows the How fact (howText, chat's words) above the note: the note does not say
    // them again, it says where to find who made the assignment.
    expect(row.howText).toContain(WORDS);
    expect(noHistoryNote(row)).not.toContain('made again');
    expect(noHistoryNote(row)).toBe(
      "No request, approval or audit entry of this assignment is in this store (those of the ended grant are that grant's own). To find who made it, look in the Azure Activity Log of the registry's subscription around 2026-12-21 09:30 UTC.",
    );
    expect(howShort(row)).toBe("Role (acrbot's name, made after its grant ended)");
    expect(howAndWho(row)).toBe(howShort(row));
    expect(askedBy(row)).toBe("not acrbot's: made after its grant ended");
    expect(askedByKey(row)).toBe('made-again');
    for (const text of [noHistoryNote(row), howShort(row), askedBy(row)]) {
      expect(text).not.toContain('no record');
      expect(text).not.toContain('store switched or restored');
    }
  });

  test.each([
    ['one grant', ['R-LATERONE']],
    ['two', ['R-EARLIER1', 'R-LATERONE']],
    ['three', ['R-A', 'R-B', 'R-C']],
    ['none', []],
  ])('the page’s words are chat’s (acrbotNamedText): %s', (_what, endedRequestIds) => {
    const path = { endedRequestIds, createdOn: CREATED_ON };
    expect(acrbotNamedWords(path)).toBe(acrbotNamedText(path));
  });

  test('without them (a store switched or restored): the words of any assignment with no record, as before', () => {
    const row = namedRow(cellWith([]));
    expect(row.endedRequestIds).toBeUndefined();
    expect(row.createdOn).toBeUndefined();
    expect(acrbotNamedWords(row)).toBe(ACRBOT_NAMED_TEXT);
    expect(askedBy(row)).toBe('no record in this store');
    expect(askedByKey(row)).toBe('no-record');
    expect(noHistoryNote(row)).toContain(ACRBOT_NAMED_TEXT);
  });

  test('a caller of another tenant is sent none of the ids, in no field, and reads the words of no record', () => {
    const row = namedRow(cellOf(), () => false);
    expect(row.endedRequestIds).toBeUndefined();
    expect(row.createdOn).toBeUndefined();
    expect(JSON.stringify(row)).not.toMatch(/R-LATERONE|R-EARLIER1|made again/);
    expect(row.howText).toBe(`AcrPull role on the registry, ${ACRBOT_NAMED_TEXT}`);
    expect(noHistoryNote(row)).toContain(ACRBOT_NAMED_TEXT);
  });

  test("of two tenants' grants, a caller is sent and counted only their own", () => {
    const row = namedRow(cellOf('other'), (id) => id !== 'R-EARLIER1');
    expect(row.endedRequestIds).toEqual(['R-LATERONE']);
    expect(JSON.stringify(row)).not.toMatch(/R-EARLIER1|earlier one/);
    expect(acrbotNamedWords(row)).toContain(
      "after acrbot's grant R-LATERONE ended (Azure dates it 2026-12-21 09:30 UTC)",
    );
  });
});
