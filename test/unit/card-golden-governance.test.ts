/**
 * Golden files (see ./support/golden.ts) for the governance cards: what a cluster can pull and
 * why (`access`, `check`), the access lifecycle (expiry reminder, expired, revoked, extension,
 * revoke confirmations, news for the requester and the approvers) and the approval policy
 * (`policy`, break-glass) and the pause of new access. Fixed ids, names and clock, one file per card state.
 */
import type {
  AccessCell,
  AcrbotRequestRef,
  ClusterAccessReport,
  InventoryCluster,
  InventoryRegistry,
} from '../../src/domain/access-inventory';
import type { Policy, PolicyRule } from '../../src/domain/policy';
import { diagnosePull } from '../../src/domain/pull-diagnosis';
import type { AccessRequest } from '../../src/domain/request';
import type { PlannedAsTyped } from '../../src/domain/plan';
import type { AdaptiveCardJson } from '../../src/views/card-templates';
import { checkCard, clusterAccessCard, registryAccessCard, userAccessCard } from '../../src/views/access-view';
import {
  approverReportCard,
  credentialReminderCard,
  expiryReminderCard,
  lifecycleNoticeCard,
  requesterNewsCard,
  revokeConfirmCard,
  revokePairConfirmCard,
} from '../../src/views/lifecycle-view';
import { breakGlassCard, policyCard } from '../../src/views/policy-view';
import {
  answerLikeCommandCard,
  pausedCard,
  pauseStateCard,
  resumeConfirmCard,
  resumedCard,
} from '../../src/views/pause-view';
import { requestCard } from '../../src/views/request-view';
import { expectGolden } from './support/golden';
import { acrbotRole, ASSIGNMENTS } from './support/inventory-fixtures';
import {
  APPROVER,
  CLUSTER_ID,
  grantPlan,
  pendingRequest,
  REGISTRY_ID,
  REQUESTER,
  secretPlan,
  SUB,
} from './support/requests';

const NOW = '2025-01-15T10:00:00.000Z';
const DAY_MS = 86_400_000;

// ---- access and check ---------------------------------------------------------------------------
const cluster: InventoryCluster = { id: CLUSTER_ID, name: 'aks-prod', subscriptionId: SUB, resourceGroup: 'rg-aks' };
const registry = grantPlan().registry as InventoryRegistry;
const identity = grantPlan().identity;
/**
 * As `check aks-prod contosoacr` (or `access aks-prod`, `grant aks-prod contosoacr …`) named them:
 * the commands the cards suggest echo that (typed-names.ts).
 */
const typedAs: PlannedAsTyped = { cluster: 'name', registry: 'name' };
const ref: AcrbotRequestRef = {
  requestId: 'R-7K2M9QXA',
  requesterName: 'Riley Requester',
  requesterId: '0a000000-0000-4000-8000-00000000aaa1',
  approvedBy: 'Alex Approver',
  approvedAt: '2025-01-14T10:00:00.000Z',
  expiresAt: '2025-02-13T10:00:00.000Z',
  state: 'active',
};
const ACR_PULL = '7f951dda-4ed3-4680-a7ca-43fe172d538d';

/** Every kind of way to pull: acrbot's grant, one outside acrbot, a pull secret and an ended grant. */
const cell: AccessCell = {
  cluster,
  registry,
  canPull: true,
  state: 'active',
  expiresAt: ref.expiresAt,
  paths: [
    acrbotRole({ assignmentId: `${ASSIGNMENTS}/00000000-0000-5000-8000-000000000000`, requests: [ref] }),
    {
      kind: 'roleAssignment',
      assignmentId: `/subscriptions/${SUB}/resourceGroups/rg-acr/providers/Microsoft.Authorization/roleAssignments/2`,
      roleGuid: ACR_PULL,
      roleName: 'AcrPull',
      scope: `/subscriptions/${SUB}/resourceGroups/rg-acr`,
      scopeLevel: 'resourceGroup',
      conditional: true,
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
      request: { ...ref, requestId: 'R-22222222' },
      state: 'active',
    },
    {
      kind: 'endedGrant',
      assignmentId: `${ASSIGNMENTS}/3`,
      roleName: 'AcrPull',
      scope: REGISTRY_ID,
      request: { ...ref, requestId: 'R-33333333', state: 'drifted', driftDetectedAt: '2025-01-10T08:00:00.000Z' },
      state: 'drifted',
    },
  ],
};
const clusterReport: ClusterAccessReport = { cluster, identity, cells: [cell], generatedAt: NOW };
const network = {
  publicNetworkAccess: 'Enabled',
  defaultAction: 'Deny',
  ipRuleCount: 2,
  privateEndpoints: 0,
  anonymousPullEnabled: false,
};

const accessCards: Array<[string, () => AdaptiveCardJson]> = [
  ['access-cluster', () => clusterAccessCard(clusterReport, true)],
  ['access-cluster-nothing', () => clusterAccessCard({ ...clusterReport, cells: [], typedAs }, true)],
  [
    'access-cluster-no-identity',
    () =>
      clusterAccessCard(
        { cluster, identityProblem: 'the cluster has no kubelet identity', cells: [], generatedAt: NOW, typedAs },
        true,
      ),
  ],
  [
    'access-registry',
    () =>
      registryAccessCard(
        {
          registry,
          cells: [cell],
          unresolvedClusters: [{ cluster: { ...cluster, name: 'aks-legacy' }, problem: 'aks-legacy: no identity' }],
          generatedAt: NOW,
        },
        true,
      ),
  ],
  [
    'access-own',
    () =>
      userAccessCard(
        {
          user: { objectId: ref.requesterId, name: ref.requesterName },
          entries: [
            { kind: 'grant', cluster, registry, roleName: 'AcrPull', request: ref },
            {
              kind: 'secret',
              cluster,
              registry,
              namespace: 'payments',
              secretName: 'acr-auth',
              request: {
                ...ref,
                requestId: 'R-22222222',
                state: 'revoked',
                revokedAt: NOW,
                revokedBy: 'Alex Approver',
              },
            },
          ],
          generatedAt: NOW,
        },
        true,
      ),
  ],
  [
    'access-own-nothing',
    () =>
      userAccessCard(
        { user: { objectId: ref.requesterId, name: ref.requesterName }, entries: [], generatedAt: NOW },
        true,
      ),
  ],
  [
    'check-can-pull',
    () => checkCard(diagnosePull({ cluster, registry, network, identity, cell, typedAs, now: new Date(NOW) }), true),
  ],
  [
    'check-cannot-pull',
    () =>
      checkCard(
        diagnosePull({
          cluster,
          registry,
          network,
          identity,
          cell: { ...cell, paths: [], canPull: false },
          typedAs,
          now: new Date(NOW),
        }),
        true,
      ),
  ],
  [
    'check-no-identity',
    () =>
      checkCard(
        diagnosePull({ cluster, registry, identityProblem: 'no kubelet identity', typedAs, now: new Date(NOW) }),
        true,
      ),
  ],
];

// ---- lifecycle ----------------------------------------------------------------------------------
const decision = { by: APPROVER, at: '2025-01-14T10:00:00.000Z', approved: true };
const granted: AccessRequest = pendingRequest({
  plan: { ...grantPlan(), typed: typedAs },
  state: 'succeeded',
  version: 4,
  decision,
  updatedAt: '2025-01-14T10:00:05.000Z',
  access: { durationMs: 30 * DAY_MS, expiresAt: '2025-02-13T10:00:00.000Z' },
  outcome: { summary: 'Granted AcrPull on contosoacr.', azureRequestIds: ['a1b2c3d4-0000-4000-8000-000000000001'] },
});
const expired: AccessRequest = {
  ...granted,
  state: 'revoked',
  access: {
    ...granted.access!,
    revokedAt: '2025-02-13T10:00:01.000Z',
    revokedBy: { objectId: 'acrbot', name: 'acrbot' },
  },
};
const revoked: AccessRequest = {
  ...granted,
  state: 'revoked',
  access: { ...granted.access!, revokedAt: NOW, revokedBy: APPROVER, revokeReason: 'incident 42' },
};
const extension: AccessRequest = pendingRequest({
  id: 'R-EXT4ND01',
  createdAt: NOW,
  extendsRequestId: granted.id,
  reason: 'release week',
  access: { durationMs: 7 * DAY_MS },
});
// Filed with its original's end an hour away, extended twice before: "Would end" shows that 7 days
// adds about 7 days, and its wait for a decision is cut to that end.
const extensionEndingSoon: AccessRequest = {
  ...extension,
  id: 'R-EXT4ND02',
  expiresAt: '2025-01-15T11:00:00.000Z',
  extendsAccess: { endsAt: '2025-01-15T11:00:00.000Z', extendedTimes: 2 },
};
const deleteLine = {
  what: 'role assignment',
  target: 'AcrPull for kubelet identity on contosoacr',
  action: 'delete' as const,
};

const lifecycleCards: Array<[string, () => AdaptiveCardJson]> = [
  ['lifecycle-request-granted-time-boxed', () => requestCard(granted, { showActions: true })],
  ['lifecycle-expiry-reminder', () => expiryReminderCard(granted, DAY_MS, 30 * DAY_MS)],
  // Removed outside acrbot (drift): no Extend (refused, extend.drifted); what happened, ask again.
  [
    'lifecycle-expiry-reminder-drifted',
    () =>
      expiryReminderCard(
        { ...granted, access: { ...granted.access!, driftDetectedAt: '2025-01-20T08:00:00.000Z' } },
        DAY_MS,
        30 * DAY_MS,
      ),
  ],
  [
    'lifecycle-credential-reminder',
    () =>
      credentialReminderCard(
        { ...granted, plan: secretPlan({ expiresAt: '2025-01-24T10:00:00.000Z' }) },
        DAY_MS,
        '2025-01-24T10:00:00.000Z',
        30 * DAY_MS,
      ),
  ],
  [
    'lifecycle-credential-reminder-permanent',
    () =>
      credentialReminderCard(
        {
          ...granted,
          access: { permanent: true },
          plan: secretPlan({ expiresAt: '2026-01-14T10:00:00.000Z', typed: typedAs }),
        },
        DAY_MS,
        '2026-01-14T10:00:00.000Z',
        30 * DAY_MS,
      ),
  ],
  ['lifecycle-request-expired', () => requestCard(expired, { showActions: true })],
  [
    'lifecycle-requester-expired',
    () => requesterNewsCard(expired, { kind: 'ended', by: expired.access!.revokedBy!, expired: true }),
  ],
  ['lifecycle-request-revoked', () => requestCard(revoked, { showActions: true })],
  [
    'lifecycle-requester-revoked',
    () => requesterNewsCard(revoked, { kind: 'ended', by: APPROVER, expired: false, reason: 'incident 42' }),
  ],
  ['lifecycle-extension-pending', () => requestCard(extension, { showActions: true })],
  ['lifecycle-extension-pending-ends-soon', () => requestCard(extensionEndingSoon, { showActions: true })],
  [
    'lifecycle-revoke-confirm',
    () =>
      revokeConfirmCard(
        granted,
        [
          deleteLine,
          { what: 'Kubernetes secret', target: 'payments/acr-auth', action: 'keep', why: 'still used by R-22222222' },
        ],
        'no longer needed',
      ),
  ],
  [
    'lifecycle-revoke-pair-confirm',
    () =>
      revokePairConfirmCard({ cluster: 'aks-prod', registry: 'contosoacr', sandbox: true, reason: 'incident 42' }, [
        { request: granted, lines: [deleteLine] },
      ]),
  ],
  [
    // More steps than a phone shows above the button: behind "Show or hide the 9 steps".
    'lifecycle-revoke-pair-confirm-many',
    () =>
      revokePairConfirmCard(
        { cluster: 'aks-prod', registry: 'contosoacr', sandbox: true, reason: 'incident 42' },
        [
          'R-7K2M9QXA',
          'R-8K2M9QXB',
          'R-9K2M9QXC',
          'R-AK2M9QXD',
          'R-BK2M9QXE',
          'R-CK2M9QXF',
          'R-DK2M9QXG',
          'R-EK2M9QXH',
          'R-FK2M9QXJ',
        ].map((id) => ({
          request: { ...granted, id },
          lines: [deleteLine],
        })),
      ),
  ],
  [
    'lifecycle-notice',
    () =>
      lifecycleNoticeCard({
        title: 'Extension requested',
        text: 'R-EXT4ND01 waits for approval.',
        ok: true,
        sandbox: true,
      }),
  ],
  ['lifecycle-requester-approved', () => requesterNewsCard(granted, { kind: 'approved' })],
  [
    'lifecycle-requester-rejected',
    () =>
      requesterNewsCard(
        { ...granted, state: 'rejected', decision: { ...decision, approved: false, reason: 'not this week' } },
        { kind: 'rejected' },
      ),
  ],
  [
    'lifecycle-requester-expired-unapproved',
    () => requesterNewsCard(pendingRequest({ state: 'expired' }), { kind: 'expiredUnapproved' }),
  ],
  [
    'lifecycle-requester-revocation-failing',
    () => requesterNewsCard(granted, { kind: 'revocationFailing', attempts: 3 }),
  ],
  [
    'lifecycle-approvers-revocation-failing',
    () => approverReportCard(granted, 'Revoking the access has failed 3 times; last error: HTTP 503.', true),
  ],
];

// ---- policy -------------------------------------------------------------------------------------
const humanRule: PolicyRule = {
  id: 'prod',
  match: { cluster: ['aks-prod*'] },
  approvers: {
    users: ['alex@contoso.example'],
    groups: ['0b000000-0000-4000-8000-0000000000b1'],
    name: 'Platform Approvers',
  },
  approvalsRequired: 2,
  channel: '19:approvals@thread.tacv2',
  maxDurationMs: 30 * DAY_MS,
  approverJustification: 'required',
  remindAfterMs: 4 * 3_600_000,
  escalateAfterMs: DAY_MS,
  escalateTo: { channel: '19:platform-leads@thread.tacv2', groups: [] },
};
const autoRule: PolicyRule = {
  id: 'dev',
  match: { cluster: ['aks-dev*'] },
  // Nobody approves here, but with break-glass in the policy somebody must review it.
  approvers: { users: [], groups: ['0b000000-0000-4000-8000-0000000000b1'], name: 'Platform Approvers' },
  approvalsRequired: 1,
  approverJustification: 'optional',
  autoApprove: { maxDurationMs: 8 * 3_600_000 },
};
const policy: Policy = {
  version: 1,
  rules: [humanRule, autoRule],
  breakGlass: { groups: ['0b000000-0000-4000-8000-0000000000b9'], maxDurationMs: 4 * 3_600_000 },
  hash: '9f2c4e1a7b3d5f6e8a0c2e4f6a8b0d1e3f5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e',
  source: 'file',
};
const breakGlassRequest: AccessRequest = pendingRequest({
  state: 'succeeded',
  decision: { by: REQUESTER, at: NOW, approved: true },
  access: { durationMs: 4 * 3_600_000, expiresAt: '2025-01-15T14:00:00.000Z' },
  policy: {
    ruleId: 'break-glass',
    policyHash: policy.hash,
    approvalsRequired: 0,
    breakGlass: true,
    rule: humanRule,
    review: { dueAt: '2025-01-16T10:00:00.000Z' },
  },
});

const policyCards: Array<[string, () => AdaptiveCardJson]> = [
  [
    'policy-rule-approvers',
    () => policyCard({ cluster: 'aks-prod', registry: 'contosoacr', policy, rule: humanRule, sandbox: true }),
  ],
  [
    'policy-rule-auto',
    () =>
      policyCard({
        cluster: 'aks-dev',
        registry: 'contosoacr',
        policy,
        rule: autoRule,
        sandbox: true,
        // The rule sets no maxDuration: the deployment's ACRBOT_MAX_ACCESS_DURATION is its longest access.
        deploymentMaxAccessMs: 90 * DAY_MS,
      }),
  ],
  [
    'policy-no-rule',
    () =>
      policyCard({
        cluster: 'aks-legacy',
        registry: 'contosoacr',
        policy: { ...policy, breakGlass: undefined, source: 'environment' },
        rule: undefined,
        sandbox: true,
      }),
  ],
  ['policy-break-glass-used', () => breakGlassCard(breakGlassRequest, 'used')],
  ['policy-break-glass-unreviewed', () => breakGlassCard(breakGlassRequest, 'unreviewed')],
  // The own view of an approver whose approval counts towards the quorum already: Reject only.
  [
    'policy-quorum-approver-who-approved',
    () =>
      requestCard(
        pendingRequest({
          approvals: [{ by: APPROVER, at: NOW }],
          access: { durationMs: 7 * DAY_MS },
          policy: { ruleId: humanRule.id, policyHash: policy.hash, approvalsRequired: 2, rule: humanRule },
        }),
        { showActions: true, viewerObjectId: APPROVER.objectId },
      ),
  ],
];

// ---- the pause of new access -------------------------------------------------------------------
const pause = {
  since: NOW,
  by: { objectId: APPROVER.objectId, name: APPROVER.name },
  reason: 'unexpected grants on prod, see [runbook](https://evil.example/x)',
};
const pauseCards: Array<[string, () => AdaptiveCardJson]> = [
  ['pause-state-open', () => pauseStateCard(undefined, false, true)],
  ['pause-state-paused', () => pauseStateCard(pause, true, true)],
  ['pause-state-paused-requester', () => pauseStateCard(pause, false, true)],
  ['pause-applied', () => pausedCard({ applied: true, pause }, true, true)],
  ['pause-applied-in-a-requesters-channel', () => pausedCard({ applied: true, pause }, false, true)],
  ['pause-already-paused', () => pausedCard({ applied: false, pause }, true, true)],
  ['pause-after-a-question', () => answerLikeCommandCard(true)],
  ['pause-resume-confirm', () => resumeConfirmCard(pause, 'incident 42 closed', true, true)],
  ['pause-resumed', () => resumedCard({ lifted: pause }, true, true)],
  ['pause-resume-stale', () => resumedCard({ lifted: undefined, inForce: pause }, true, true)],
  ['pause-resume-not-paused', () => resumedCard({ lifted: undefined, inForce: undefined }, true, true)],
  // Reminders sent while paused: no Extend, who paused it and since when, never why.
  ['pause-expiry-reminder', () => expiryReminderCard(granted, DAY_MS, 30 * DAY_MS, pause)],
  [
    'pause-credential-reminder',
    () =>
      credentialReminderCard(
        { ...granted, plan: secretPlan({ expiresAt: '2025-01-24T10:00:00.000Z' }) },
        DAY_MS,
        '2025-01-24T10:00:00.000Z',
        30 * DAY_MS,
        pause,
      ),
  ],
];

describe('governance cards match their golden files (UPDATE_GOLDEN=1 rewrites them)', () => {
  test.each(pauseCards)('%s', (name, render) => expectGolden(name, render()));
  test.each(accessCards)('%s', (name, render) => expectGolden(name, render()));
  test.each(lifecycleCards)('%s', (name, render) => expectGolden(name, render()));
  test.each(policyCards)('%s', (name, render) => expectGolden(name, render()));
});
