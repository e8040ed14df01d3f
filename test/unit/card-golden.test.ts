/**
 * Golden files for rendered cards: one file per card state under test/golden/cards/, rendered
 * from fixed ids, names and times, so any change to a card's JSON shows up as a diff in review.
 *
 * A card change on purpose: `UPDATE_GOLDEN=1 npx jest test/unit/card-golden.test.ts`, then
 * read the diff of test/golden/ before committing it. Without UPDATE_GOLDEN a missing or
 * different file fails the test.
 */
import { chainEntry } from '../../src/domain/audit-chain';
import { UserFacingError } from '../../src/domain/errors';
import type { SecretPlan } from '../../src/domain/plan';
import type { AccessRequest, RequestState } from '../../src/domain/request';
import type { AdaptiveCardJson } from '../../src/views/card-templates';
import {
  alreadyGrantedCard,
  auditCard,
  errorCard,
  grantFormCard,
  commandHelpCard,
  helpCard,
  messageCard,
} from '../../src/views/message-view';
import { outcomeCard, requestCard } from '../../src/views/request-view';
import { expectGolden } from './support/golden';
import { APPROVER, auditEvent, grantPlan, pendingRequest, REGISTRY_ID, REQUESTER, SUB } from './support/requests';

const secretPlan: SecretPlan = {
  kind: 'secret',
  cluster: {
    id: `/subscriptions/${SUB}/resourceGroups/rg-dev/providers/Microsoft.ContainerService/managedClusters/aks-dev`,
    name: 'aks-dev',
    subscriptionId: SUB,
    resourceGroup: 'rg-dev',
    aadEnabled: false,
  },
  registry: grantPlan().registry,
  credentialKind: 'token',
  credentialName: 'acrbot-r-7k2m9qxa',
  repositories: ['payments/api'],
  namespace: 'payments',
  secretName: 'acr-auth',
  serviceAccount: 'default',
  expiresAt: '2025-04-15T09:00:00.000Z',
  operations: ['Create ACR token', 'Write secret'],
};

const AT = '2025-01-15T10:00:00.000Z';
const approved = { by: APPROVER, at: AT, approved: true, reason: 'checked with the team lead' };
const rejected = { by: APPROVER, at: AT, approved: false, reason: 'not this week' };

/** Everything a request in `state` carries, for a grant or a secret. */
function requestIn(state: RequestState, kind: 'grant' | 'secret'): AccessRequest {
  // Named as typed (`grant aks-prod contosoacr …`): the commands the cards suggest repeat that.
  const typed = { cluster: 'name', registry: 'name' } as const;
  const plan = kind === 'grant' ? { ...grantPlan(), typed } : { ...secretPlan, typed };
  const base = pendingRequest({ plan, state, updatedAt: AT });
  const granted = {
    summary: kind === 'grant' ? 'Granted AcrPull on contosoacr.' : 'Secret payments/acr-auth created in aks-dev.',
    azureRequestIds: ['a1b2c3d4-0000-4000-8000-000000000001'],
    createdIds: [`${REGISTRY_ID}/providers/Microsoft.Authorization/roleAssignments/${grantPlan().roleAssignmentName}`],
    ...(kind === 'secret'
      ? { cleanup: 'none' as const, secret: { action: 'created' as const, serviceAccountPatched: true } }
      : {}),
  };
  switch (state) {
    case 'pending':
      return base;
    case 'approved':
    case 'executing':
      return { ...base, decision: approved };
    case 'succeeded':
      return { ...base, decision: approved, outcome: granted };
    case 'failed':
      return {
        ...base,
        decision: approved,
        outcome: {
          summary: 'Failed',
          azureRequestIds: ['a1b2c3d4-0000-4000-8000-000000000002'],
          error: 'Azure refused the role assignment (AuthorizationFailed, HTTP 403).',
          errorCode: 'AuthorizationFailed',
          ...(kind === 'secret' ? { cleanup: 'deleted' as const } : {}),
        },
      };
    case 'rejected':
      return { ...base, decision: rejected };
    case 'expired':
    case 'cancelled':
      return base;
    case 'revoked':
      return {
        ...base,
        decision: approved,
        outcome: granted,
        access: {
          durationMs: 30 * 86_400_000,
          expiresAt: '2025-02-14T10:00:00.000Z',
          revokedAt: AT,
          revokedBy: APPROVER,
        },
      };
  }
}

const STATES: RequestState[] = [
  'pending',
  'approved',
  'executing',
  'succeeded',
  'failed',
  'rejected',
  'expired',
  'cancelled',
  'revoked',
];

const cards: Array<[string, () => AdaptiveCardJson]> = [
  ['request-pending-requester', () => requestCard(requestIn('pending', 'grant'), { showActions: false })],
  ...STATES.flatMap((state) =>
    (['grant', 'secret'] as const).map((kind): [string, () => AdaptiveCardJson] => [
      `request-${kind}-${state}`,
      () => requestCard(requestIn(state, kind), { showActions: true }),
    ]),
  ),
  [
    'request-refused-click',
    () =>
      requestCard(requestIn('pending', 'grant'), {
        showActions: true,
        notice: 'You requested this access; someone else must approve it.',
        noticeColor: 'Attention',
      }),
  ],
  ['outcome-grant-succeeded', () => outcomeCard(requestIn('succeeded', 'grant'))],
  ['outcome-secret-succeeded', () => outcomeCard(requestIn('succeeded', 'secret'))],
  ['outcome-grant-failed', () => outcomeCard(requestIn('failed', 'grant'))],
  ['outcome-secret-failed', () => outcomeCard(requestIn('failed', 'secret'))],
  [
    'outcome-grant-extended',
    () =>
      outcomeCard({
        ...requestIn('succeeded', 'grant'),
        extendsRequestId: 'R-2B3C4D5F',
        access: { durationMs: 30 * 86_400_000, expiresAt: '2025-03-16T10:00:00.000Z' },
        outcome: {
          summary:
            'Extended the access of R-2B3C4D5F (was until 2025-02-14 10:00 UTC); nothing was re-created in Azure.',
          azureRequestIds: [],
          alreadyPresent: true,
        },
      }),
  ],
  [
    'error-user-facing',
    () =>
      errorCard({
        err: new UserFacingError('validation.cluster', 'There is no cluster named aks-prd.', ['aks-prod']),
        title: 'Could not plan the grant',
        reference: 'ref12345',
        sandbox: true,
      }),
  ],
  ['error-unexpected', () => errorCard({ err: new Error('socket hang up'), reference: 'ref12345', sandbox: false })],
  [
    'already-granted',
    () =>
      alreadyGrantedCard(
        grantPlan(),
        {
          id: `${REGISTRY_ID}/providers/Microsoft.Authorization/roleAssignments/11111111-0000-4000-8000-000000000000`,
          name: '11111111-0000-4000-8000-000000000000',
          scope: REGISTRY_ID,
          roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/7f951dda-4ed3-4680-a7ca-43fe172d538d`,
          principalId: grantPlan().identity.objectId,
        },
        true,
      ),
  ],
  [
    'message-info',
    () =>
      messageCard({
        title: 'Nothing pending',
        text: 'There are no requests waiting for approval.',
        tone: 'good',
        sandbox: false,
      }),
  ],
  ['help', () => helpCard(true)],
  ['help-grant', () => commandHelpCard('grant', true)],
  ['grant-form-empty', () => grantFormCard({ sandbox: true })],
  [
    'grant-form-error',
    () =>
      grantFormCard({
        sandbox: true,
        cluster: 'aks-prod',
        registry: 'acr#1',
        reason: 'deploy',
        error: 'acr#1 is not a valid registry name.',
      }),
  ],
  [
    'audit-listing',
    () => {
      const first = chainEntry(
        { ...auditEvent(1), requestId: 'R-7K2M9QXA', actor: REQUESTER },
        undefined,
        new Date(AT),
      );
      const second = chainEntry(
        { ...auditEvent(2), requestId: 'R-7K2M9QXA', action: 'request.approved', outcome: 'approved', actor: APPROVER },
        first,
        new Date(AT),
      );
      return auditCard('Audit trail of R-7K2M9QXA', '2 entries', [first, second], true);
    },
  ],
  [
    // The audit channel card: the request's entries and the chain head (seq, MAC prefix) of that moment.
    'audit-channel-head',
    () => {
      const key = Buffer.alloc(32, 7);
      const first = chainEntry(
        { ...auditEvent(1), requestId: 'R-7K2M9QXA', actor: REQUESTER },
        undefined,
        new Date(AT),
        key,
      );
      const other = chainEntry(
        { ...auditEvent(2), requestId: 'R-OTHER234', actor: REQUESTER },
        first,
        new Date(AT),
        key,
      );
      return auditCard(
        'R-7K2M9QXA · grant · Pending approval',
        'Riley Requester: aks-prod → contosoacr',
        [first],
        false,
        other,
      );
    },
  ],
];

describe('rendered cards match their golden files (UPDATE_GOLDEN=1 rewrites them)', () => {
  test.each(cards)('%s', (name, render) => expectGolden(name, render()));
});
