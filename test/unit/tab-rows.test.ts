/**
 * The tab's rows from the access inventory's matrix: one row per way of pulling and per acrbot
 * request behind it; outside grants without a request; an ended grant gone from Azure is
 * "drifted" even while its request record is still live; nothing but the listed fields.
 */
import type {
  AccessMatrix,
  AcrbotRequestRef,
  InventoryCluster,
  InventoryRegistry,
} from '../../src/domain/access-inventory';
import { matrixRows, requestRow } from '../../src/tab/tab-rows';
import { pendingExtensionFacts } from '../../src/views/extension-facts';
import type { PolicyRule } from '../../src/domain/policy';
import { APPROVER, OUTSIDER, pendingRequest, REQUESTER } from './support/requests';

const cluster: InventoryCluster = {
  id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks',
  name: 'aks',
  subscriptionId: 's',
  resourceGroup: 'rg',
};
const registry: InventoryRegistry = {
  id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/acr',
  name: 'acr',
  subscriptionId: 's',
  resourceGroup: 'rg',
  loginServer: 'acr.azurecr.io',
  roleAssignmentMode: 'LegacyRegistryPermissions',
};
const ref = (id: string, state: AcrbotRequestRef['state']): AcrbotRequestRef => ({
  requestId: id,
  requesterName: 'Riley',
  requesterId: 'r-1',
  approvedBy: 'Alex',
  expiresAt: '2030-01-01T00:00:00.000Z',
  state,
});

test('rows per path and request: acrbot, outside, pull secret, drifted ended grant', () => {
  const matrix: AccessMatrix = {
    clusters: [cluster],
    registries: [registry],
    unresolvedClusters: [],
    generatedAt: '2026-01-01T00:00:00.000Z',
    cells: [
      {
        cluster,
        registry,
        state: 'active',
        canPull: true,
        paths: [
          {
            kind: 'roleAssignment',
            assignmentId: 'ra-1',
            roleGuid: 'g',
            roleName: 'AcrPull',
            scope: registry.id,
            scopeLevel: 'registry',
            conditional: false,
            honoured: true,
            origin: 'acrbot',
            requests: [ref('R-AAAAAAA1', 'active'), ref('R-AAAAAAA2', 'expiring')],
            state: 'active',
          },
          {
            kind: 'roleAssignment',
            assignmentId: 'ra-2',
            roleGuid: 'g',
            roleName: 'AcrPull',
            scope: '/subscriptions/s/resourceGroups/rg',
            scopeLevel: 'resourceGroup',
            viaGroupId: 'group-1',
            conditional: false,
            honoured: true,
            origin: 'outside',
            requests: [],
            state: 'active',
          },
          {
            kind: 'pullSecret',
            namespace: 'payments',
            secretName: 'acr-auth',
            credentialKind: 'token',
            request: ref('R-AAAAAAA3', 'active'),
            state: 'active',
          },
          {
            kind: 'endedGrant',
            assignmentId: 'ra-3',
            roleName: 'AcrPull',
            scope: registry.id,
            request: ref('R-AAAAAAA4', 'active'),
            state: 'drifted',
          },
        ],
      },
    ],
  };
  const rows = matrixRows(matrix);
  expect(rows.map((r) => [r.requestId, r.how, r.state])).toEqual([
    ['R-AAAAAAA1', 'acrbot-role', 'active'],
    ['R-AAAAAAA2', 'acrbot-role', 'expiring'],
    [undefined, 'outside-role', 'active'],
    ['R-AAAAAAA3', 'pull-secret', 'active'],
    ['R-AAAAAAA4', 'acrbot-role', 'drifted'],
  ]);
  expect(rows[2]).toMatchObject({ kind: 'outside', requester: undefined, notes: ['through group group-1'] });
  expect(rows[2]!.howText).toBe('AcrPull role on its resource group, granted outside acrbot');
  expect(rows[4]!.howText).toContain('removed in Azure outside acrbot');
  expect(new Set(rows.map((r) => r.key)).size).toBe(rows.length);
  expect(Object.keys(rows[0]!).sort()).toEqual(
    [
      'approvers',
      'cluster',
      'decidedBy',
      'expiresAt',
      'how',
      'howText',
      'key',
      'kind',
      'notes',
      'registry',
      'requestId',
      'requester',
      'state',
    ].sort(),
  );
});

test('a request that gave no access says how it ended (rejected, cancelled), and an extension names what it extends', () => {
  const now = new Date('2025-01-16T00:00:00.000Z');
  expect(requestRow(pendingRequest({ state: 'rejected' }), now).state).toBe('rejected');
  expect(requestRow(pendingRequest({ state: 'cancelled' }), now).state).toBe('cancelled');
  expect(requestRow(pendingRequest({ state: 'expired' }), now).state).toBe('closed');
  expect(requestRow(pendingRequest(), now)).not.toHaveProperty('extendsRequestId');
  expect(requestRow(pendingRequest({ extendsRequestId: 'R-AAAAAAA1' }), now)).toMatchObject({
    state: 'pending',
    extendsRequestId: 'R-AAAAAAA1',
  });
  // While it waits, the term asked for (approvers decide on it); not once decided.
  const asking = pendingRequest({ access: { durationMs: 60 * 86_400_000 } });
  expect(requestRow(asking, now).termAsked).toBe('60 days');
  expect(requestRow({ ...asking, access: { permanent: true } }, now).termAsked).toBe('permanent');
  expect(requestRow({ ...asking, state: 'rejected' }, now)).not.toHaveProperty('termAsked');
});

test('a pending row carries when it expires undecided (decideBy); a granted or ended one does not', () => {
  const now = new Date('2025-01-16T00:00:00.000Z');
  const waiting = pendingRequest({ access: { durationMs: 30 * 86_400_000 } });
  const row = requestRow(waiting, now);
  expect(row.decideBy).toBe(waiting.expiresAt);
  // Not the access's end: nothing was granted yet.
  expect(row.expiresAt).toBeUndefined();
  const granted = pendingRequest({
    state: 'succeeded',
    access: { durationMs: 30 * 86_400_000, expiresAt: '2025-02-14T00:00:00.000Z' },
  });
  expect(requestRow(granted, now)).not.toHaveProperty('decideBy');
  for (const state of ['rejected', 'cancelled', 'expired'] as const)
    expect(requestRow({ ...waiting, state }, now)).not.toHaveProperty('decideBy');
});

test("a pending row under a rule needing 2 approvals carries where its quorum stands, as its card's '1 of 2 so far' counts it", () => {
  const now = new Date('2025-01-16T00:00:00.000Z');
  const rule: PolicyRule = {
    id: 'prod',
    match: {},
    approvers: { users: [APPROVER.objectId, OUTSIDER.objectId], groups: [] },
    approvalsRequired: 2,
    approverJustification: 'optional',
  };
  const at = '2025-01-15T10:00:00.000Z';
  const waiting = pendingRequest({
    policy: { ruleId: 'prod', policyHash: 'h', approvalsRequired: 2, rule },
    // Its requester's own approval and a second one by the same approver never count (countedApprovals).
    approvals: [
      { by: APPROVER, at },
      { by: { ...APPROVER, objectId: APPROVER.objectId.toUpperCase() }, at },
      { by: REQUESTER, at },
    ],
  });
  expect(requestRow(waiting, now).approvalsSoFar).toEqual({ count: 1, required: 2 });
  expect(requestRow({ ...waiting, approvals: [] }, now).approvalsSoFar).toEqual({ count: 0, required: 2 });
  // One approval decides alone; once decided (or ended) there is nothing left to count.
  const single = { ...waiting, policy: { ...waiting.policy!, approvalsRequired: 1 } };
  expect(requestRow(single, now)).not.toHaveProperty('approvalsSoFar');
  for (const state of ['approved', 'executing', 'rejected', 'cancelled', 'expired'] as const)
    expect(requestRow({ ...waiting, state }, now)).not.toHaveProperty('approvalsSoFar');
  // A break-glass run and an auto-approved request wait for no approval.
  expect(requestRow({ ...waiting, policy: { ...waiting.policy!, breakGlass: true } }, now)).not.toHaveProperty(
    'approvalsSoFar',
  );
  expect(requestRow({ ...waiting, policy: { ...waiting.policy!, autoApproved: true } }, now)).not.toHaveProperty(
    'approvalsSoFar',
  );
});

test("a pending extension carries its original's end, what approving adds and how often it was extended, in the card's words", () => {
  const now = new Date('2025-01-16T00:00:00.000Z');
  // Filed at 09:00 on access ending 6 days 23 hours later: 7 days from approval add at least an hour.
  const extension = pendingRequest({
    extendsRequestId: 'R-AAAAAAA1',
    access: { durationMs: 7 * 86_400_000 },
    extendsAccess: { endsAt: '2025-01-22T08:00:00.000Z', extendedTimes: 2 },
  });
  const row = requestRow(extension, now);
  expect(row).toMatchObject({
    extendsEndsAt: '2025-01-22T08:00:00.000Z',
    wouldEnd: 'at least 1 hour later (7 days after approval)',
    extendedBefore: '2 times',
  });
  // The chat card's own values, word for word.
  const card = Object.fromEntries(pendingExtensionFacts(extension).map((f) => [f.label, f.value]));
  expect([card['Would end'], card['Extended before']]).toEqual([row.wouldEnd, row.extendedBefore]);
  // Never extended, permanent (adds no end): neither line.
  const first = requestRow(
    {
      ...extension,
      access: { permanent: true },
      extendsAccess: { endsAt: '2025-01-22T08:00:00.000Z', extendedTimes: 0 },
    },
    now,
  );
  expect(first.extendsEndsAt).toBe('2025-01-22T08:00:00.000Z');
  expect(first).not.toHaveProperty('wouldEnd');
  expect(first).not.toHaveProperty('extendedBefore');
  // Decided, filed before it was recorded, or not an extension: none of it.
  for (const other of [
    { ...extension, state: 'rejected' as const },
    { ...extension, extendsAccess: undefined },
    { ...extension, extendsRequestId: undefined },
  ])
    expect(Object.keys(requestRow(other, now)).filter((k) => /extendsEndsAt|wouldEnd|extendedBefore/.test(k))).toEqual(
      [],
    );
});
