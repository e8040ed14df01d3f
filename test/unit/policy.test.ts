/** The approval policy's pure rules (G18): matching, rule order, quorum steps, card text. */
import {
  countedApprovals,
  describeRequirement,
  factsOf,
  globMatches,
  nextApprovalStep,
  ruleMatches,
  selectRule,
  type Policy,
  type PolicyRule,
  type RequestFacts,
  type RuleMatch,
} from '../../src/domain/policy';
import type { SecretPlan } from '../../src/domain/plan';
import { APPROVER, grantPlan, OUTSIDER, pendingRequest, REQUESTER } from './support/requests';

const FACTS: RequestFacts = {
  cluster: 'aks-prod-weu',
  registry: 'contosoacr',
  resourceGroup: 'rg-acr',
  subscription: '1f0c0000-0000-4000-8000-000000000001',
  clusterResourceGroup: 'rg-aks',
  clusterSubscription: '2f0c0000-0000-4000-8000-000000000002',
  namespace: 'payments',
  flow: 'secret',
  kind: 'token',
  clusterTags: { Env: 'prod', team: 'payments' },
  registryTags: { owner: 'platform' },
};

function rule(id: string, match: RuleMatch, extra: Partial<PolicyRule> = {}): PolicyRule {
  return {
    id,
    match,
    approvers: { users: [APPROVER.objectId], groups: [] },
    approvalsRequired: 1,
    approverJustification: 'optional',
    ...extra,
  };
}

describe('globs', () => {
  test.each([
    ['contoso*', 'contosoacr', true],
    ['CONTOSO*', 'contosoacr', true],
    ['aks-prod-???', 'aks-prod-weu', true],
    ['aks-prod-??', 'aks-prod-weu', false],
    ['*acr', 'contosoacr', true],
    ['contoso.acr', 'contosoXacr', false],
    ['a+b', 'a+b', true],
    ['a+b', 'aab', false],
    ['*', '', true],
  ])('%s on %s → %s', (pattern, value, expected) => {
    expect(globMatches(pattern, value)).toBe(expected);
  });
});

describe('each match field', () => {
  const cases: [string, RuleMatch, RuleMatch][] = [
    ['cluster', { cluster: ['aks-prod*'] }, { cluster: ['aks-dev*'] }],
    ['registry', { registry: ['contoso*'] }, { registry: ['shared*'] }],
    ['resourceGroup', { resourceGroup: ['RG-ACR'] }, { resourceGroup: ['rg-aks'] }],
    ['subscription', { subscription: ['1f0c*'] }, { subscription: ['2f0c*'] }],
    ['clusterResourceGroup', { clusterResourceGroup: ['rg-aks'] }, { clusterResourceGroup: ['rg-acr'] }],
    ['clusterSubscription', { clusterSubscription: ['2f0c*'] }, { clusterSubscription: ['1f0c*'] }],
    ['namespace', { namespace: ['pay*'] }, { namespace: ['kube-system'] }],
    ['flow', { flow: ['grant', 'secret'] }, { flow: ['grant'] }],
    ['kind', { kind: ['token'] }, { kind: ['sp'] }],
    ['clusterTags (names case-insensitive)', { clusterTags: { env: 'prod' } }, { clusterTags: { env: 'dev' } }],
    ['clusterTags (values exact)', { clusterTags: { team: 'payments' } }, { clusterTags: { team: 'Payments' } }],
    ['registryTags', { registryTags: { owner: 'platform' } }, { registryTags: { owner: 'data' } }],
  ];
  test.each(cases)('%s: fits and does not fit', (_name, fits, doesNot) => {
    expect(ruleMatches(fits, FACTS)).toBe(true);
    expect(ruleMatches(doesNot, FACTS)).toBe(false);
  });

  test('all given conditions must fit (AND); an empty match fits everything', () => {
    expect(ruleMatches({ cluster: ['aks-prod*'], registry: ['shared*'] }, FACTS)).toBe(false);
    expect(ruleMatches({}, FACTS)).toBe(true);
  });

  test('a grant has no namespace, so a namespace condition never fits it', () => {
    const facts = factsOf(grantPlan());
    expect(facts.flow).toBe('grant');
    expect(facts.kind).toBe('roleAssignment');
    expect(ruleMatches({ namespace: ['*'] }, facts)).toBe(false);
  });

  test('facts of a secret plan carry flow, kind, namespace and tags', () => {
    const base = grantPlan();
    const plan: SecretPlan = {
      kind: 'secret',
      cluster: { ...base.cluster, aadEnabled: false, tags: { env: 'dev' } },
      registry: { ...base.registry, tags: { owner: 'platform' } },
      credentialKind: 'sp',
      credentialName: 'x',
      repositories: [],
      namespace: 'payments',
      secretName: 'acr-pull',
      expiresAt: '2026-01-01T00:00:00.000Z',
      operations: [],
    };
    expect(factsOf(plan)).toMatchObject({
      flow: 'secret',
      kind: 'sp',
      namespace: 'payments',
      clusterTags: { env: 'dev' },
      registryTags: { owner: 'platform' },
    });
  });
});

describe('rule order', () => {
  const policy: Policy = {
    version: 1,
    hash: 'h',
    source: 'file',
    rules: [
      rule('prod', { clusterTags: { env: 'prod' } }),
      rule('contoso', { registry: ['contoso*'] }),
      rule('default', {}),
    ],
  };
  test('the first rule whose match fits applies', () => {
    expect(selectRule(policy, FACTS)?.id).toBe('prod');
    expect(selectRule(policy, { ...FACTS, clusterTags: {} })?.id).toBe('contoso');
    expect(selectRule(policy, { ...FACTS, clusterTags: {}, registry: 'other' })?.id).toBe('default');
  });
  test('no fitting rule → undefined (the request is refused)', () => {
    expect(
      selectRule({ ...policy, rules: policy.rules.slice(0, 2) }, { ...FACTS, clusterTags: {}, registry: 'x' }),
    ).toBe(undefined);
  });
});

describe('quorum steps', () => {
  const AT = new Date('2025-01-15T10:00:00.000Z');
  const SECOND = { objectId: '0a000000-0000-4000-8000-00000000ddd4', name: 'Megan Developer' };

  test('two approvals from different people: recorded, then approved', () => {
    const request = pendingRequest();
    const first = nextApprovalStep(request, 2, { actor: APPROVER, approving: true, at: AT });
    expect(first).toMatchObject({ kind: 'recorded', required: 2 });
    const after = { ...request, approvals: (first as Extract<typeof first, { kind: 'recorded' }>).approvals };
    expect(nextApprovalStep(after, 2, { actor: SECOND, approving: true, at: AT })).toMatchObject({ kind: 'approved' });
  });

  test('the same approver twice is refused, whatever the case of the object id', () => {
    const request = pendingRequest({ approvals: [{ by: APPROVER, at: AT.toISOString() }] });
    const again = { ...APPROVER, objectId: APPROVER.objectId.toUpperCase() };
    expect(nextApprovalStep(request, 2, { actor: again, approving: true, at: AT })).toMatchObject({
      kind: 'refused',
      reason: 'twice',
    });
  });

  test("the requester's approval never counts toward the quorum", () => {
    const request = pendingRequest({ approvals: [{ by: REQUESTER, at: AT.toISOString() }] });
    expect(countedApprovals(request)).toHaveLength(0);
    expect(nextApprovalStep(request, 2, { actor: APPROVER, approving: true, at: AT })).toMatchObject({
      kind: 'recorded',
    });
  });

  test('one rejection rejects, whatever the approvals so far', () => {
    const request = pendingRequest({ approvals: [{ by: APPROVER, at: AT.toISOString() }] });
    expect(nextApprovalStep(request, 2, { actor: OUTSIDER, approving: false, at: AT })).toEqual({ kind: 'rejected' });
  });
});

describe('card text', () => {
  test('names the rule, what it needs and who approved so far', () => {
    const r = rule(
      'prod',
      {},
      { approvalsRequired: 2, approvers: { users: [], groups: ['g'], name: 'Platform Approvers' } },
    );
    const request = pendingRequest({
      policy: { ruleId: 'prod', policyHash: 'h', approvalsRequired: 2, rule: r },
      approvals: [{ by: APPROVER, at: '2025-01-15T10:00:00.000Z' }],
    });
    expect(describeRequirement(request)).toBe(
      'Rule prod: needs 2 approvals from Platform Approvers; 1 of 2 so far: Alex Approver',
    );
    // Rejected (or withdrawn, or expired) after one approval: who had approved, no progress.
    for (const state of ['rejected', 'cancelled', 'expired'] as const)
      expect(describeRequirement({ ...request, state })).toBe(
        'Rule prod: needs 2 approvals from Platform Approvers; 1 of 2 had approved: Alex Approver',
      );
    expect(describeRequirement({ ...request, state: 'rejected', approvals: [] })).toBe(
      'Rule prod: needs 2 approvals from Platform Approvers',
    );
  });
  test('a reminder or escalation sent shows on the card', () => {
    const r = rule('prod', {}, { approvers: { users: [], groups: ['g'], name: 'Platform Approvers' } });
    const binding = { ruleId: 'prod', policyHash: 'h', approvalsRequired: 1, rule: r };
    expect(describeRequirement(pendingRequest({ policy: { ...binding, remindedAt: 'x' } }))).toBe(
      'Rule prod: needs 1 approval from Platform Approvers; approvers reminded',
    );
    expect(describeRequirement(pendingRequest({ policy: { ...binding, remindedAt: 'x', escalatedAt: 'y' } }))).toMatch(
      /; escalated$/,
    );
  });
  test('auto-approval and break-glass say so', () => {
    const r = rule('dev', {}, { autoApprove: { maxDurationMs: 1 } });
    expect(
      describeRequirement(
        pendingRequest({
          policy: { ruleId: 'dev', policyHash: 'h', approvalsRequired: 0, autoApproved: true, rule: r },
        }),
      ),
    ).toBe('auto-approved by rule dev');
    expect(
      describeRequirement(
        pendingRequest({
          policy: {
            ruleId: 'break-glass',
            policyHash: 'h',
            approvalsRequired: 0,
            breakGlass: true,
            rule: r,
            review: { dueAt: '2025-01-16T10:00:00.000Z' },
          },
        }),
      ),
    ).toMatch(/break-glass: ran at once; the approvers of rule dev must review it/);
  });
});
