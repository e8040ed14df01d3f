/**
 * A break-glass request in the tab, as chat's cards tell it: its requester "approved" it only so
 * it ran at once, so the tab never names them among the approvers (nor in the drawer's decision,
 * nor in the CSV's approvers); it says who started it and where its review stands in the card's
 * own words. A run that failed owes no review; one whose access ended before its review is
 * reviewed for its use only; a review made while it held access still reads "kept".
 */
import { type AccessMatrix, requestRef } from '../../src/domain/access-inventory';
import type { AccessRequest, PolicyBinding } from '../../src/domain/request';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { requestHistory, requestRow } from '../../src/tab/tab-rows';
import type { PolicyRule } from '../../src/domain/policy';
import type { TabHistory, TabMatrixPage } from '../../src/tab/tab-wire';
import { breakGlassFacts, NOBODY_REVIEWS_APPROVAL } from '../../web/src/format';
import type { Row } from '../../web/src/types';
import { rule } from './support/policy-fixtures';
import { FakeClock } from './support/fake-clock';
import { breakGlassRequest } from './support/break-glass';
import { bearer, testTabApi } from './support/tab-api';
import { APPROVER, grantPlan, pendingRequest, REGISTRY_ID, REQUESTER } from './support/requests';

const AT = '2025-01-15T10:00:00.000Z';
const DUE = '2025-01-16T10:00:00.000Z';
const NOW = new Date('2025-01-15T11:00:00.000Z');
const ASSIGNMENT = `${REGISTRY_ID}/providers/Microsoft.Authorization/roleAssignments/ra-bg`;

/** Riley's break-glass grant in `state`, as request-service stores one (its requester's approval included). */
function breakGlass(
  state: AccessRequest['state'],
  review: PolicyBinding['review'] = { dueAt: DUE },
  extra: Partial<AccessRequest> = {},
): AccessRequest {
  const request = breakGlassRequest(REQUESTER, AT, review, {
    id: 'R-BGLASS01',
    state,
    plan: grantPlan(),
    access: { durationMs: 8 * 3_600_000, expiresAt: '2025-01-15T18:00:00.000Z' },
    outcome:
      state === 'failed'
        ? { summary: 'Failed', azureRequestIds: [], error: 'Azure refused the role assignment.' }
        : { summary: 'granted', azureRequestIds: [], createdIds: [ASSIGNMENT] },
    ...extra,
  });
  // As request-service stores the requester's approval: with its reason.
  return { ...request, approvals: [{ by: REQUESTER, at: AT, reason: 'break-glass: prod down' }], ...extra };
}

describe('a break-glass row', () => {
  test('names nobody as its approver, and says who started it and that a review is owed, by when', () => {
    const row = requestRow(breakGlass('succeeded'), NOW);
    expect(row.approvers).toEqual([]);
    expect(row.decidedBy).toBeUndefined();
    expect(row.breakGlass).toEqual({
      by: { objectId: REQUESTER.objectId, name: REQUESTER.name },
      at: AT,
      approval: 'break-glass: ran at once; Platform Approvers must review it',
      reviewDueAt: DUE,
    });
  });

  test('a run that failed owes no review: none due, and the approval line says so', () => {
    const row = requestRow(breakGlass('failed'), NOW);
    expect(row.state).toBe('failed');
    expect(row.breakGlass?.reviewDueAt).toBeUndefined();
    expect(row.breakGlass?.approval).toBe('break-glass: ran at once and failed; nothing to review');
    expect(row.approvers).toEqual([]);
  });

  test('revoked before its review: still owed, for its use only', () => {
    const revoked = breakGlass('revoked', undefined, {
      access: {
        durationMs: 8 * 3_600_000,
        expiresAt: '2025-01-15T18:00:00.000Z',
        revokedAt: '2025-01-15T10:30:00.000Z',
      },
    });
    expect(requestRow(revoked, NOW).breakGlass).toMatchObject({ reviewDueAt: DUE, reviewJudgesUseOnly: true });
  });

  test("reviewed: the card's verdict ('kept' while it held access, 'its use' once it had ended) and the comment", () => {
    const kept = { dueAt: DUE, outcome: 'accepted' as const, by: APPROVER, at: AT, reason: 'fair use' };
    const revokedLater = breakGlass('revoked', kept, {
      access: {
        durationMs: 8 * 3_600_000,
        expiresAt: '2025-01-15T18:00:00.000Z',
        revokedAt: '2025-01-15T18:00:00.000Z',
      },
    });
    expect(requestRow(revokedLater, NOW).breakGlass).toEqual(
      expect.objectContaining({
        approval: `break-glass, reviewed: kept by ${APPROVER.name}`,
        reviewReason: 'fair use',
      }),
    );
    expect(requestRow(revokedLater, NOW).breakGlass?.reviewDueAt).toBeUndefined();
    const useOnly = breakGlass('revoked', { ...kept, useOnly: true });
    expect(requestRow(useOnly, NOW).breakGlass?.approval).toBe(
      `break-glass, reviewed: its use accepted by ${APPROVER.name}`,
    );
  });

  test('any other request has none, and keeps its approvers', () => {
    const approved = pendingRequest({ state: 'approved', decision: { by: APPROVER, at: AT, approved: true } });
    const row = requestRow(approved, NOW);
    expect(row.breakGlass).toBeUndefined();
    expect(row.approvers.map((a) => a.name)).toEqual([APPROVER.name]);
  });
});

describe("a break-glass request's history", () => {
  test('carries no decision or approval of its requester (the drawer would list them as "Approvers")', () => {
    const hist = requestHistory(breakGlass('succeeded'), [], NOW);
    expect(hist.decision).toBeUndefined();
    expect(hist.approvals).toEqual([]);
    expect(hist.row.breakGlass?.by.name).toBe(REQUESTER.name);
  });
});

describe('an owed review nobody can do as the policy stands', () => {
  const onlyRequester = rule('prod', {
    approvers: { users: [REQUESTER.objectId], groups: [], name: 'Riley alone' },
  });
  const uncovered = (users: string[]) =>
    ({ ...rule('prod', { approvers: { users, groups: [] } }), uncovered: true }) as PolicyRule;

  test("its drawer says so in the daily report's words: a rule naming only its requester", () => {
    const hist = requestHistory(breakGlass('succeeded'), [], NOW, 'all', onlyRequester);
    expect(hist.row.breakGlass?.nobodyReviews).toBe(
      'Rule prod names only its requester as approver, who may not review it, so nobody can review it until an approver is added to rule prod in the approval policy',
    );
    expect(breakGlassFacts(hist.row as Row)).toContainEqual(['Reviewers', hist.row.breakGlass!.nobodyReviews]);
  });

  test("its Approval line does not say the rule's approvers must review it: the review is owed, and Reviewers says why nobody can", () => {
    for (const reviewers of [onlyRequester, uncovered([]), uncovered([REQUESTER.objectId])]) {
      const facts = new Map(
        breakGlassFacts(requestHistory(breakGlass('succeeded'), [], NOW, 'all', reviewers).row as Row),
      );
      expect(facts.get('Approval')).toBe(NOBODY_REVIEWS_APPROVAL);
      expect(facts.get('Approval')).not.toMatch(/must review it/);
      expect(facts.get('Reviewers')).toMatch(/nobody can review it until/);
    }
    // Someone may review it: the card's own words, naming them.
    const facts = new Map(
      breakGlassFacts(requestHistory(breakGlass('succeeded'), [], NOW, 'all', rule('prod')).row as Row),
    );
    expect(facts.get('Approval')).toBe('break-glass: ran at once; Platform Approvers must review it');
  });

  test('no rule covers the pair any more, and the policy names none of its approvers (or only its requester)', () => {
    const none = requestHistory(breakGlass('succeeded'), [], NOW, 'all', uncovered([]));
    expect(none.row.breakGlass?.nobodyReviews).toBe(
      'No rule of the approval policy in force covers aks-prod → contosoacr, and none of the approvers rule prod had is in the policy any more, so nobody can review it until a rule for aks-prod → contosoacr is added to the approval policy',
    );
    const requesterLeft = requestHistory(breakGlass('succeeded'), [], NOW, 'all', uncovered([REQUESTER.objectId]));
    expect(requesterLeft.row.breakGlass?.nobodyReviews).toContain(
      'of the approvers rule prod had it names only its requester, who may not review it, so nobody can review it',
    );
  });

  test('said only while a review is owed and nobody can do it', () => {
    // Someone else may review it: its rule's group, another named approver, or the rule as it was with one left.
    for (const reviewers of [
      rule('prod'),
      rule('prod', { approvers: { users: [REQUESTER.objectId, APPROVER.objectId], groups: [] } }),
      uncovered([APPROVER.objectId]),
      undefined,
    ])
      expect(requestHistory(breakGlass('succeeded'), [], NOW, 'all', reviewers).row.breakGlass).not.toHaveProperty(
        'nobodyReviews',
      );
    // No review owed: a run that failed, or one reviewed already.
    const reviewed = breakGlass('succeeded', { dueAt: DUE, outcome: 'accepted', by: APPROVER, at: AT });
    for (const request of [breakGlass('failed'), reviewed]) {
      const hist = requestHistory(request, [], NOW, 'all', onlyRequester);
      expect(hist.row.breakGlass).not.toHaveProperty('nobodyReviews');
      expect(breakGlassFacts(hist.row as Row).find(([label]) => label === 'Reviewers')?.[1]).toBeUndefined();
    }
    // The matrix's and My access's rows never carry it: judged for the one request a drawer shows.
    expect(requestRow(breakGlass('succeeded'), NOW).breakGlass).not.toHaveProperty('nobodyReviews');
  });

  test('through the tab API: the drawer judges it by the rule whose approvers review it now (ruleOf)', async () => {
    const clock = new FakeClock(NOW.toISOString());
    const store = new MemoryRequestStore();
    const request = breakGlass('succeeded');
    await store.create(request);
    const roles = {
      isApprover: async () => false,
      isApproverOf: async () => false,
      isAuditor: () => false,
      ruleOf: () => onlyRequester,
    };
    const api = testTabApi(clock, store, { roles });
    const drawer = await api.history(await bearer(REQUESTER, clock), request.id);
    expect(drawer.status).toBe(200);
    expect((drawer.body as TabHistory).row.breakGlass?.nobodyReviews).toMatch(/^Rule prod names only its requester/);
    // Bound to a rule with approvers (no ruleOf: the rule as bound): nothing said.
    const plain = testTabApi(clock, store);
    const again = await plain.history(await bearer(REQUESTER, clock), request.id);
    expect((again.body as TabHistory).row.breakGlass).not.toHaveProperty('nobodyReviews');
  });
});

describe("an approver's matrix", () => {
  test('a break-glass row joined from the inventory names no approver and says where its review stands', async () => {
    const clock = new FakeClock(NOW.toISOString());
    const store = new MemoryRequestStore();
    const request = breakGlass('succeeded');
    await store.create(request);
    const plan = grantPlan();
    const registry = { ...plan.registry, roleAssignmentMode: 'LegacyRegistryPermissions' as const };
    const matrix: AccessMatrix = {
      clusters: [plan.cluster],
      registries: [registry],
      unresolvedClusters: [],
      generatedAt: NOW.toISOString(),
      cells: [
        {
          cluster: plan.cluster,
          registry,
          state: 'active',
          canPull: true,
          paths: [
            {
              kind: 'roleAssignment',
              assignmentId: ASSIGNMENT,
              roleGuid: 'g',
              roleName: 'AcrPull',
              scope: plan.registry.id,
              scopeLevel: 'registry',
              conditional: false,
              honoured: true,
              origin: 'acrbot',
              // The inventory's reference names the decision's author as its approver.
              requests: [requestRef(request, NOW)],
              state: 'active',
            },
          ],
        },
      ],
    };
    const api = testTabApi(clock, store, {
      roles: { isApprover: async () => true, isApproverOf: async () => true, isAuditor: () => false },
      inventory: { matrix: async () => matrix },
    });
    const res = await api.matrix(await bearer(APPROVER, clock));
    const row = (res.body as TabMatrixPage).rows.find((r) => r.requestId === request.id)!;
    expect(row.approvers).toEqual([]);
    expect(row.decidedBy).toBeUndefined();
    expect(row.breakGlass).toMatchObject({ reviewDueAt: DUE, by: { name: REQUESTER.name } });
  });
});
