/**
 * The policy and break-glass cards: break-glass without a cooldown after a rejected review, the
 * reader's own cooldown, namespace rules not listed or differing by credential kind, the
 * Escalation fact, and the break-glass alert's user text. Written to kill mutants that survived
 * mutation testing.
 */
import type { Policy, PolicyRule } from '../../src/domain/policy';
import type { AccessRequest } from '../../src/domain/request';
import { breakGlassCard, policyCard } from '../../src/views/policy-view';
import { cardTexts } from '../helpers/capturing-connector';
import { grantPlan, pendingRequest } from './support/requests';

const rule: PolicyRule = {
  id: 'prod',
  match: {},
  approvers: { users: ['alex@contoso.example'], groups: [], name: 'Platform Approvers' },
  approvalsRequired: 1,
  approverJustification: 'optional',
};
const policyWith = (breakGlass: Policy['breakGlass']): Policy => ({
  version: 1,
  rules: [rule],
  breakGlass,
  hash: 'ab'.repeat(32),
  source: 'file',
});

const policyCardText = (input: Partial<Parameters<typeof policyCard>[0]> & { policy: Policy }) =>
  cardTexts(policyCard({ cluster: 'aks-prod', registry: 'contosoacr', rule, sandbox: false, ...input })).join('\n');

/** The facts of the policy card for `shown` under the pull-secret rules `secret`: each one's title and value. */
function secretRuleFacts(
  secret: Parameters<typeof policyCard>[0]['secret'],
  shown: PolicyRule = rule,
): Array<{ title: string; value: string }> {
  const card = policyCard({
    cluster: 'aks-prod',
    registry: 'contosoacr',
    policy: policyWith(undefined),
    rule: shown,
    secret,
    sandbox: false,
  }) as unknown as { body: Array<{ type: string; facts?: Array<{ title: string; value: string }> }> };
  return card.body.filter((b) => b.type === 'FactSet').flatMap((b) => b.facts!);
}

describe("the policy card's break-glass line", () => {
  const bg = { groups: ['0b000000-0000-4000-8000-0000000000b9'], maxDurationMs: 4 * 3_600_000 };

  test('a policy whose break-glass has no cooldown says nothing of one', () => {
    const text = policyCardText({ policy: policyWith({ ...bg, cooldownAfterRejectionMs: 0 }) });
    expect(text).toContain('may use --break-glass');
    expect(text).not.toContain('after a rejected review');
  });

  test('one with a cooldown says how long', () => {
    const text = policyCardText({ policy: policyWith({ ...bg, cooldownAfterRejectionMs: 2 * 3_600_000 }) });
    expect(text).toContain('after a rejected review, not again for 2 hours');
  });
});

describe("the reader's own break-glass cooldown", () => {
  test('names who rejected the review, inert: a Teams name is user text', () => {
    const text = policyCardText({
      policy: policyWith({ groups: ['g'], maxDurationMs: 3_600_000 }),
      cooldown: {
        requestId: 'R-BG000001',
        rejectedBy: { objectId: 'o1', name: 'Alex [x](https://evil.example/x) <at>Everyone</at>' },
        rejectedAt: '2025-01-15T10:00:00.000Z',
        until: '2025-01-16T10:00:00.000Z',
        cooldownMs: 24 * 3_600_000,
      },
    });
    expect(text).toContain('review of your break-glass request R-BG000001 was rejected by Alex');
    expect(text).toContain('evil.example/x');
    expect(text).not.toMatch(/\]\(|https:\/\/evil|<at>/);
  });
});

describe('namespace rules of pull secrets beyond those the card lists', () => {
  const ns = (i: number): PolicyRule => ({ ...rule, id: `ns${i}`, match: { namespace: [`team${i}`] } });
  /** Both credential kinds under the same `n` namespace rules, then `rule` elsewhere. */
  const secretRules = (n: number) => {
    const byNamespace = Array.from({ length: n }, (_, i) => ({ namespaces: [`team${i}`], rule: ns(i) }));
    return { token: { byNamespace, otherwise: rule }, sp: { byNamespace, otherwise: rule } };
  };
  /** The card's facts as "label: value" lines. */
  const factsOf = (n: number): string[] => secretRuleFacts(secretRules(n), ns(99)).map((f) => `${f.title}: ${f.value}`);

  test('one more is counted in the singular, more in the plural', () => {
    // Eight are listed: nine leave one.
    expect(factsOf(9)).toContain(
      'Pull secrets in 1 more namespace pattern: their rules are not listed here; the policy file names them',
    );
    expect(factsOf(10)).toContain(
      'Pull secrets in 2 more namespace patterns: their rules are not listed here; the policy file names them',
    );
  });
});

describe('namespace rules of each credential kind', () => {
  test('eight are listed across both kinds together: a card with a rule per team stays one Teams accepts', () => {
    const nsRules = (kind: string) =>
      Array.from({ length: 8 }, (_, i) => ({
        namespaces: [`${kind}${i}`],
        rule: { ...rule, id: `${kind}${i}`, match: { namespace: [`${kind}${i}`] } },
      }));
    const labels = secretRuleFacts({
      token: { byNamespace: nsRules('tok'), otherwise: rule },
      sp: { byNamespace: nsRules('sp'), otherwise: rule },
    }).map((f) => f.title);
    expect(labels).toContain('Pull secrets (ACR token) in namespace tok7');
    expect(labels).not.toContain('Pull secrets (service principal) in namespace sp0');
    expect(labels).toContain('Pull secrets (service principal) in 8 more namespace patterns');
  });
});

describe("a rule's Escalation fact", () => {
  test('names the escalation channel and its groups', () => {
    const escalating: PolicyRule = {
      ...rule,
      escalateAfterMs: 3_600_000,
      escalateTo: { channel: '19:leads@thread.tacv2', groups: ['0b000000-0000-4000-8000-0000000000c7'] },
    };
    expect(policyCardText({ policy: policyWith(undefined), rule: escalating })).toContain(
      'after 1 hour to 19:leads@thread.tacv2, 0b000000-0000-4000-8000-0000000000c7',
    );
  });
});

describe('pull-secret rules that differ only by namespace between credential kinds', () => {
  test('each kind is listed under its own heading, so nobody reads a token rule as a service principal one', () => {
    const payments: PolicyRule = { ...rule, id: 'payments', match: { namespace: ['payments*'] } };
    const labels = secretRuleFacts({
      token: { byNamespace: [{ namespaces: ['payments*'], rule: payments }], otherwise: rule },
      sp: { byNamespace: [], otherwise: rule },
    }).map((f) => f.title);
    expect(labels).toContain('Pull secrets (ACR token) in namespace payments*');
    expect(labels).toContain('Pull secrets (service principal)');
    expect(labels).not.toContain('Pull secrets in namespace payments*');
  });
});

describe('the break-glass alert and report', () => {
  const HOSTILE = '[x](https://evil.example/x) <at>Everyone</at>';
  const request = (over: Partial<AccessRequest> = {}) =>
    pendingRequest({
      state: 'succeeded',
      access: { durationMs: 4 * 3_600_000, expiresAt: '2025-01-15T14:00:00.000Z' },
      policy: {
        ruleId: 'break-glass',
        policyHash: 'h',
        approvalsRequired: 0,
        breakGlass: true,
        rule,
        review: { dueAt: '2025-01-16T10:00:00.000Z' },
      },
      ...over,
    });
  const expectInert = (text: string) => {
    expect(text).toContain('evil.example/x');
    expect(text).not.toMatch(/\]\(|https:\/\/evil|<at>/);
  };

  test.each(['used', 'unreviewed'] as const)('the %s card shows the reason inert', (kind) => {
    expectInert(cardTexts(breakGlassCard(request({ reason: `outage ${HOSTILE}` }), kind)).join('\n'));
  });

  test("the report's Granted fact shows a custom role's name inert", () => {
    const plan = { ...grantPlan(), role: { ...grantPlan().role, name: `Custom ${HOSTILE}` } };
    const text = cardTexts(breakGlassCard(request({ plan }), 'unreviewed')).join('\n');
    expect(text).toContain('aks-prod → contosoacr (Custom');
    expectInert(text);
  });
});
