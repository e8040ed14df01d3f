/**
 * The `policy` card: what it says about a pair's pull secrets agrees with the rule a request
 * would get (`selectRule`), and text written in the policy file (approvers' name, channel ids,
 * namespace globs) reaches readers without live links or mentions.
 */
import { factsFor, type Policy, type PolicyRule, selectRule } from '../../src/domain/policy';
import { rulesForPair, SECRET_KINDS } from '../../src/domain/policy-overview';
import { policyCard } from '../../src/views/policy-view';

const cluster = { name: 'aks-prod', resourceGroup: 'rg-aks', subscriptionId: 'sub-1' };
const registry = { name: 'contosoacr', resourceGroup: 'rg-acr', subscriptionId: 'sub-1' };

function rule(id: string, match: PolicyRule['match'], extra: Partial<PolicyRule> = {}): PolicyRule {
  return {
    id,
    match,
    approvers: { users: ['0a000000-0000-4000-8000-00000000bbb2'], groups: [], name: `${id} approvers` },
    approvalsRequired: 1,
    approverJustification: 'optional',
    ...extra,
  };
}

function policyOf(...rules: PolicyRule[]): Policy {
  return { version: 1, rules, hash: 'ab'.repeat(32), source: 'file' };
}

/** The card's facts as "title: value" lines. */
function factLines(card: Record<string, unknown>): string[] {
  const body = card.body as Array<{ type: string; facts?: Array<{ title: string; value: string }> }>;
  return body.find((b) => b.type === 'FactSet')!.facts!.map((f) => `${f.title}: ${f.value}`);
}

describe('policy card: a namespace condition every namespace fits', () => {
  test.each([['*'], ['**'], ['?*'], ['*?']])(
    'namespace "%s" (pull secrets only) takes every namespace: later rules are not shown as applying',
    (glob) => {
      const secrets = rule('secrets', { namespace: [glob] });
      const catchAll = rule('default', {});
      const policy = policyOf(secrets, catchAll);
      const rules = rulesForPair(policy, cluster, registry);
      for (const kind of SECRET_KINDS) {
        expect(rules.secret[kind]).toEqual({ byNamespace: [], otherwise: secrets });
        // What a request in any namespace gets.
        for (const ns of ['a', 'web', 'payments'])
          expect(selectRule(policy, factsFor(cluster, registry, 'secret', kind, ns))).toBe(secrets);
      }
      const lines = factLines(
        policyCard({
          cluster: 'aks-prod',
          registry: 'contosoacr',
          policy,
          rule: rules.grant,
          secret: rules.secret,
          sandbox: false,
        }),
      );
      expect(lines).toContain('Grants: rule default');
      expect(lines).toContain('Pull secrets: rule secrets');
      expect(lines.join('\n')).not.toMatch(/other namespaces/);
    },
  );

  test('a glob that some namespaces do not fit is still listed per namespace', () => {
    const oneChar = rule('one-char', { namespace: ['?'] });
    const catchAll = rule('default', {});
    const rules = rulesForPair(policyOf(oneChar, catchAll), cluster, registry);
    expect(rules.secret.token).toEqual({ byNamespace: [{ namespaces: ['?'], rule: oneChar }], otherwise: catchAll });
  });
});

describe('policy card: text from the policy file is inert', () => {
  test('the approvers name, channel ids and namespace globs carry no live link or mention', () => {
    const hostile = rule(
      'prod',
      { namespace: ['[docs](https://evil.example/ns)'] },
      {
        approvers: {
          users: [],
          groups: ['0b000000-0000-4000-8000-0000000000a9'],
          name: '[Approve here](https://evil.example)',
        },
        channel: '19:<at>Alex</at>@thread.tacv2',
        remindAfterMs: 3_600_000,
        escalateAfterMs: 7_200_000,
        escalateTo: {
          channel: '19:www.evil.example/[x](https://evil.example)',
          groups: [],
          name: 'On-call [page me](https://evil.example/oncall)',
        },
      },
    );
    const policy: Policy = {
      ...policyOf(rule('grants', { flow: ['grant'] }), hostile),
      breakGlass: { groups: ['0b000000-0000-4000-8000-0000000000b9'], maxDurationMs: 3_600_000 },
    };
    const rules = rulesForPair(policy, cluster, registry);
    const split = policyCard({
      cluster: 'aks-prod',
      registry: 'contosoacr',
      policy,
      rule: rules.grant,
      secret: rules.secret,
      sandbox: false,
    });
    const single = policyCard({ cluster: 'aks-prod', registry: 'contosoacr', policy, rule: hostile, sandbox: false });
    for (const card of [split, single]) {
      const text = JSON.stringify(card);
      expect(text).not.toMatch(/\]\(/);
      expect(text).not.toMatch(/https:\/\//);
      expect(text).not.toMatch(/<at>/i);
      expect(text).not.toMatch(/www\.evil/);
    }
    // Still readable: the words are all there.
    expect(factLines(single)).toContain(
      'Needs: 1 approval from [Approve here] (https:\u200b//evil.example); the requester never counts',
    );
    expect(
      factLines(split).some((l) => l.startsWith('Pull secrets in namespace [docs] (https:\u200b//evil.example/ns)')),
    ).toBe(true);
    // The escalation's audience by the name the policy gives it, its channel after it.
    expect(factLines(single).find((l) => l.startsWith('Escalation:'))).toMatch(
      /^Escalation: after 2 hours to On-call \[page me\] \(https:\u200b\/\/evil\.example\/oncall\) \(19:/,
    );
  });
});
