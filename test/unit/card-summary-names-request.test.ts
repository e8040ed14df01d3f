/**
 * What Teams shows in a notification, the activity feed and a chat's preview for the cards about
 * one request (the activity's `summary`, the title cut at 120 characters, card-summary.ts): which
 * request, and its cluster and registry, so two reminders of accesses ending a day apart, or a
 * break-glass alert, say which access without opening the card (request-in-title.ts).
 */
import { cardActivity } from '../../src/bot/turn-cards';
import type { PolicyRule } from '../../src/domain/policy';
import type { AccessRequest } from '../../src/domain/request';
import { SUMMARY_MAX_CHARS } from '../../src/views/card-summary';
import type { AdaptiveCardJson } from '../../src/views/card-templates';
import { credentialReminderCard, expiryReminderCard, requesterNewsCard } from '../../src/views/lifecycle-view';
import { breakGlassCard } from '../../src/views/policy-view';
import { APPROVER, grantPlan, pendingRequest, REQUESTER, secretPlan, SUB } from './support/requests';

const DAY_MS = 86_400_000;
const summary = (card: AdaptiveCardJson) => cardActivity(card).summary as string | undefined;

/** The facts of a card, label to value, wherever its FactSets are. */
function factsOf(card: AdaptiveCardJson): Record<string, string> {
  const facts: Record<string, string> = {};
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const element = node as { type?: string; facts?: Array<{ title: string; value: string }> };
    if (element.type === 'FactSet') for (const f of element.facts ?? []) facts[f.title] = f.value;
    Object.values(node).forEach(walk);
  };
  walk(card.body);
  return facts;
}

/** A grant of `cluster` (in resource group `group`) on `registry`, active until `expiresAt`. */
function grantOf(id: string, cluster: string, registry: string, expiresAt: string, group = 'rg-aks'): AccessRequest {
  const plan = grantPlan();
  return pendingRequest({
    id,
    plan: {
      ...plan,
      cluster: { ...plan.cluster, name: cluster, resourceGroup: group },
      registry: { ...plan.registry, name: registry, loginServer: `${registry}.azurecr.io` },
    },
    state: 'succeeded',
    decision: { by: APPROVER, at: '2025-01-14T10:00:00.000Z', approved: true },
    access: { durationMs: 30 * DAY_MS, expiresAt },
  });
}

const rule: PolicyRule = {
  id: 'prod',
  match: { cluster: ['aks-*'] },
  approvers: { users: ['alex@contoso.example'], groups: [], name: 'Platform Approvers' },
  approvalsRequired: 1,
  approverJustification: 'optional',
};

/** A break-glass grant of a cluster in a resource group with a long name, as production ones have. */
const breakGlass: AccessRequest = {
  ...grantOf('R-7K2M9QXA', 'aks-prod-weu', 'contosoacr', '2025-01-15T14:00:00.000Z', 'rg-platform-prod-westeurope'),
  decision: { by: REQUESTER, at: '2025-01-15T10:00:00.000Z', approved: true },
  policy: {
    ruleId: 'prod',
    policyHash: 'hash',
    approvalsRequired: 0,
    breakGlass: true,
    rule,
    review: { dueAt: '2025-01-16T10:00:00.000Z' },
  },
};

describe('the break-glass alert', () => {
  test("its preview names the pair, the request and who used it, short; the cluster's place is in its facts", () => {
    const card = breakGlassCard(breakGlass, 'used', rule);
    expect(summary(card)).toBe('BREAK-GLASS used: R-7K2M9QXA (aks-prod-weu → contosoacr) by Riley Requester');
    // The resource group and subscription stay on the card, where a reader tells two clusters
    // of one name apart: not in the preview, which they would cut short.
    expect(summary(card)).not.toContain(SUB);
    expect(factsOf(card)).toMatchObject({
      Request: 'R-7K2M9QXA',
      By: 'Riley Requester',
      Cluster: `aks-prod-weu (resource group rg-platform-prod-westeurope, subscription ${SUB})`,
      Registry: 'contosoacr → contosoacr.azurecr.io',
    });
  });

  test('with the longest names Azure allows, the request id still survives the cut', () => {
    const long: AccessRequest = {
      ...grantOf('R-7K2M9QXA', `aks-${'c'.repeat(59)}`, 'r'.repeat(50), '2025-01-15T14:00:00.000Z'),
      decision: breakGlass.decision,
      policy: breakGlass.policy,
    };
    const preview = summary(breakGlassCard(long, 'used', rule))!;
    expect(Array.from(preview)).toHaveLength(SUMMARY_MAX_CHARS);
    expect(preview.startsWith('BREAK-GLASS used: R-7K2M9QXA (aks-ccc')).toBe(true);
  });

  test('its daily report while unreviewed names the pair too', () => {
    expect(summary(breakGlassCard(breakGlass, 'unreviewed', rule))).toBe(
      'BREAK-GLASS still unreviewed: R-7K2M9QXA (aks-prod-weu → contosoacr)',
    );
  });
});

describe('reminders', () => {
  const first = grantOf('R-7K2M9QXA', 'aks-prod', 'contosoacr', '2025-01-16T10:00:00.000Z');
  const second = grantOf('R-9HX4PQ2T', 'aks-prod', 'fabrikamacr', '2025-01-17T10:00:00.000Z');

  test('two accesses ending a day apart get two previews, each naming its request and pair', () => {
    const previews = [first, second].map((r) => summary(expiryReminderCard(r, DAY_MS, 30 * DAY_MS)));
    expect(previews).toEqual([
      'Access ends in 24 hours: R-7K2M9QXA (aks-prod → contosoacr)',
      'Access ends in 24 hours: R-9HX4PQ2T (aks-prod → fabrikamacr)',
    ]);
  });

  test("a pull secret's credential reminder names its request and pair", () => {
    const secret = { ...second, plan: { ...secretPlan(), registry: second.plan.registry } };
    expect(summary(credentialReminderCard(secret, DAY_MS, '2025-01-16T10:00:00.000Z', 30 * DAY_MS))).toBe(
      'Pull secret credential expires in 24 hours: R-9HX4PQ2T (aks-prod → fabrikamacr)',
    );
  });

  test('with the longest names Azure allows, the request id still survives the cut', () => {
    const long = grantOf('R-7K2M9QXA', `aks-${'c'.repeat(59)}`, 'r'.repeat(50), '2025-01-16T10:00:00.000Z');
    const preview = summary(expiryReminderCard(long, DAY_MS, 30 * DAY_MS))!;
    expect(Array.from(preview)).toHaveLength(SUMMARY_MAX_CHARS);
    expect(preview.startsWith('Access ends in 24 hours: R-7K2M9QXA (aks-ccc')).toBe(true);
  });
});

describe("the requester's news", () => {
  const request = grantOf('R-7K2M9QXA', 'aks-prod', 'contosoacr', '2025-01-16T10:00:00.000Z');
  const rejected = { decision: { by: APPROVER, at: '2025-01-14T10:00:00.000Z', approved: false } };
  const cases: Array<[string, Parameters<typeof requesterNewsCard>[1], string, Partial<AccessRequest>]> = [
    ['approved', { kind: 'approved' }, 'Approved: R-7K2M9QXA (aks-prod → contosoacr)', {}],
    ['rejected', { kind: 'rejected' }, 'Rejected: R-7K2M9QXA (aks-prod → contosoacr)', rejected],
    [
      'expired unapproved',
      { kind: 'expiredUnapproved' },
      'Expired without a decision: R-7K2M9QXA (aks-prod → contosoacr)',
      { state: 'expired', decision: undefined, access: undefined },
    ],
    [
      'expired',
      { kind: 'ended', by: APPROVER, expired: true },
      'Expired and revoked: R-7K2M9QXA (aks-prod → contosoacr)',
      {},
    ],
    ['revoked', { kind: 'ended', by: REQUESTER, expired: false }, 'Revoked: R-7K2M9QXA (aks-prod → contosoacr)', {}],
    [
      'revocation failing',
      { kind: 'revocationFailing', attempts: 3 },
      'Revocation of R-7K2M9QXA (aks-prod → contosoacr) is retrying',
      {},
    ],
  ];

  test.each(cases)('%s: its preview names the request and its pair', (_kind, news, expected, overrides) => {
    expect(summary(requesterNewsCard({ ...request, ...overrides }, news))).toBe(expected);
  });
});
