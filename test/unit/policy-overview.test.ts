/**
 * The rules of a cluster/registry pair per flow, credential kind and namespace (`rulesForPair`),
 * and the `policy` card that shows them: one rule for everything reads as it always did; rules
 * that differ are each listed under their own heading, with their approvers (G18).
 */
import type { Policy, PolicyRule } from '../../src/domain/policy';
import { oneRuleForAll, rulesForPair } from '../../src/domain/policy-overview';
import { policyCard } from '../../src/views/policy-view';

const cluster = { name: 'aks-prod', resourceGroup: 'rg-aks', subscriptionId: 'sub-1', tags: { env: 'prod' } };
const registry = { name: 'contosoacr', resourceGroup: 'rg-acr', subscriptionId: 'sub-1' };

function rule(id: string, match: PolicyRule['match'], name = `${id} approvers`): PolicyRule {
  return {
    id,
    match,
    approvers: { users: [`${id}-user`], groups: [], name },
    approvalsRequired: 1,
    approverJustification: 'optional',
  };
}

function policyOf(...rules: PolicyRule[]): Policy {
  return { version: 1, rules, hash: 'ab'.repeat(32), source: 'file' };
}

/** The card's facts as "title: value" lines. */
function factsOf(card: any): string[] {
  const factSet = card.body.find((b: { type: string }) => b.type === 'FactSet');
  return factSet.facts.map((f: { title: string; value: string }) => `${f.title}: ${f.value}`);
}

describe('rulesForPair', () => {
  test('the first rule that fits each flow and kind; namespace rules before the one for other namespaces', () => {
    const payments = rule('payments', { flow: ['secret'], namespace: ['payments*'] });
    const elsewhere = rule('elsewhere', { cluster: ['aks-dev'], namespace: ['web'] });
    const sp = rule('sp', { kind: ['sp'] });
    const catchAll = rule('default', {});
    const late = rule('late', { namespace: ['late'] });
    const rules = rulesForPair(policyOf(payments, elsewhere, sp, catchAll, late), cluster, registry);
    expect(rules.grant).toBe(catchAll);
    expect(rules.secret.token).toEqual({
      byNamespace: [{ namespaces: ['payments*'], rule: payments }],
      otherwise: catchAll,
    });
    expect(rules.secret.sp).toEqual({ byNamespace: [{ namespaces: ['payments*'], rule: payments }], otherwise: sp });
    expect(oneRuleForAll(rules)).toBe(false);
  });

  test('a pair with no rule for a flow says so; one rule for all is one rule for all', () => {
    const grants = rule('grants', { flow: ['grant'] });
    const none = rulesForPair(policyOf(grants), cluster, registry);
    expect(none).toEqual({
      grant: grants,
      secret: { token: { byNamespace: [], otherwise: undefined }, sp: { byNamespace: [], otherwise: undefined } },
    });
    expect(oneRuleForAll(none)).toBe(false);
    expect(
      oneRuleForAll(rulesForPair(policyOf(rule('prod', { clusterTags: { env: 'prod' } })), cluster, registry)),
    ).toBe(true);
  });
});

describe('the policy card', () => {
  test('one rule for every flow: the card as without secret rules (the goldens)', () => {
    const prod = rule('prod', { cluster: ['aks-prod*'] });
    const policy = policyOf(prod);
    const rules = rulesForPair(policy, cluster, registry);
    const plain = { cluster: 'aks-prod', registry: 'contosoacr', policy, rule: prod, sandbox: true };
    expect(policyCard({ ...plain, secret: rules.secret })).toEqual(policyCard(plain));
  });

  test('a secret rule that differs is shown with its approvers, per kind, under its own heading', () => {
    const secrets = rule('secrets', { flow: ['secret'], kind: ['token'] }, 'Secret Owners');
    const grants = rule('grants', {}, 'Platform Approvers');
    const policy = { ...policyOf(secrets, grants), breakGlass: { groups: ['oncall'], maxDurationMs: 4 * 3_600_000 } };
    const rules = rulesForPair(policy, cluster, registry);
    const card = policyCard({
      cluster: 'aks-prod',
      registry: 'contosoacr',
      policy,
      rule: rules.grant,
      secret: rules.secret,
      sandbox: false,
    });
    expect(JSON.stringify(card)).toContain('Grants and pull secrets of this pair fall under different rules');
    expect(factsOf(card)).toEqual([
      'Grants: rule grants',
      'Needs: 1 approval from Platform Approvers; the requester never counts',
      'Approvers: grants-user',
      'Approver justification: optional',
      'Pull secrets (ACR token): rule secrets',
      'Needs: 1 approval from Secret Owners; the requester never counts',
      'Approvers: secrets-user',
      'Approver justification: optional',
      'Pull secrets (service principal): rule grants, as above',
      'Break-glass: members of oncall may use --break-glass on grants for at most 4 hours, reviewed within 24 hours by Platform Approvers; after a rejected review, not again for 1 day',
      `Policy: policy file, sha256 ${'ab'.repeat(6)}…`,
    ]);
  });

  test('break-glass is not offered on a pair where it would be refused (no rule fits its grants, or the rule names nobody)', () => {
    const breakGlass = { groups: ['oncall'], maxDurationMs: 4 * 3_600_000 };
    const secrets = rule('secrets', { flow: ['secret'] });
    const nobody: PolicyRule = { ...rule('nobody', {}), approvers: { users: [], groups: [] } };
    const card = (policy: Policy, split: boolean) => {
      const rules = rulesForPair(policy, cluster, registry);
      return factsOf(
        policyCard({
          cluster: 'aks-prod',
          registry: 'contosoacr',
          policy,
          rule: rules.grant,
          ...(split && { secret: rules.secret }),
          sandbox: false,
        }),
      ).filter((f) => f.startsWith('Break-glass'));
    };
    // No rule at all; a rule for secrets only (the split card); a rule without approvers.
    expect(card({ ...policyOf(), breakGlass }, false)).toEqual([
      'Break-glass: not available on this pair: no rule fits its grants, so nobody could review a break-glass grant',
    ]);
    expect(card({ ...policyOf(secrets), breakGlass }, true)).toEqual([
      'Break-glass: not available for grants on this pair: no rule fits its grants, so nobody could review a break-glass grant',
    ]);
    expect(card({ ...policyOf(nobody), breakGlass }, false)).toEqual([
      'Break-glass: not available on this pair: rule nobody names no approvers, so nobody could review a break-glass grant',
    ]);
  });

  test('secrets no rule fits are named as refused, next to the grant rule', () => {
    const grants = rule('grants', { flow: ['grant'] });
    const policy = policyOf(grants);
    const rules = rulesForPair(policy, cluster, registry);
    const card = policyCard({
      cluster: 'aks-prod',
      registry: 'contosoacr',
      policy,
      rule: grants,
      secret: rules.secret,
      sandbox: false,
    });
    expect(factsOf(card)).toContain(
      'Pull secrets: no rule fits: such a request would be refused (nobody could approve it)',
    );
  });
});
