/**
 * `pending`'s line for what waits but nobody can decide as the policy stands: an owed break-glass
 * review its rule leaves to nobody or to its requester (the daily report's and the drawer's words),
 * and a pending request whose rule leaves it short of its quorum, or that no rule covers. Others
 * (someone may decide them, another tenant's, a rule with groups) are not named.
 */
import type { PolicyRule } from '../../src/domain/policy';
import type { AccessRequest } from '../../src/domain/request';
import { NOBODY_DECIDES_SHOWN, nobodyDecidesText } from '../../src/views/nobody-decides-text';
import { breakGlassRequest } from './support/break-glass';
import { rule } from './support/policy-fixtures';
import { APPROVER, grantPlan, pendingRequest, REQUESTER } from './support/requests';

const TENANT = 'tenant-1';
const AT = '2026-12-06T08:00:00.000Z';
const onlyRequester = rule('prod', { approvers: { users: [REQUESTER.objectId], groups: [] } });
const named = rule('prod', { approvers: { users: [APPROVER.objectId], groups: [] } });
const uncovered = { ...rule('prod', { approvers: { users: [], groups: [] } }), uncovered: true } as PolicyRule;

const review = (id: string, extra: Partial<AccessRequest> = {}): AccessRequest =>
  breakGlassRequest(
    REQUESTER,
    AT,
    { dueAt: '2026-12-07T08:00:00.000Z' },
    {
      id,
      state: 'succeeded',
      plan: grantPlan(),
      tenantId: TENANT,
      ...extra,
    },
  );
const waiting = (id: string, extra: Partial<AccessRequest> = {}): AccessRequest =>
  pendingRequest({ id, plan: grantPlan(), tenantId: TENANT, ...extra });

describe("pending's line for what nobody can decide", () => {
  test('an owed review its rule leaves to its requester alone, or to nobody: named, in the daily report words', () => {
    const rules = new Map<string, PolicyRule>([
      ['R-SOLO', onlyRequester],
      ['R-GONE', uncovered],
      ['R-FINE', named],
    ]);
    const text = nobodyDecidesText(
      [review('R-SOLO'), review('R-GONE'), review('R-FINE')],
      (r) => rules.get(r.id),
      TENANT,
    );
    expect(text).toBe(
      [
        '2 requests wait that nobody can decide as the approval policy stands:',
        '- R-SOLO: its break-glass review is owed. Rule prod names only its requester as approver, who may not review it, so nobody can review it until an approver is added to rule prod in the approval policy.',
        '- R-GONE: its break-glass review is owed. No rule of the approval policy in force covers aks-prod → contosoacr, and none of the approvers rule prod had is in the policy any more, so nobody can review it until a rule for aks-prod → contosoacr is added to the approval policy.',
      ].join('\n'),
    );
  });

  test('a pending request short of its quorum, or that no rule covers: named; one someone may approve is not', () => {
    const short = rule('prod', {
      approvers: { users: [REQUESTER.objectId, APPROVER.objectId], groups: [] },
      approvalsRequired: 2,
    });
    const rules = new Map<string, PolicyRule | undefined>([
      ['R-SHORT', short],
      ['R-NONE', undefined],
      ['R-FINE', named],
      ['R-GROUP', rule('prod')],
    ]);
    const text = nobodyDecidesText(
      ['R-SHORT', 'R-NONE', 'R-FINE', 'R-GROUP'].map((id) => waiting(id)),
      (r) => rules.get(r.id),
      TENANT,
    );
    expect(text?.split('\n')).toEqual([
      '2 requests wait that nobody can decide as the approval policy stands:',
      '- R-SHORT: rule prod, which it was made under, names fewer approvers besides its requester than it needs, so nobody can approve it and it expires unanswered.',
      '- R-NONE: no rule of the approval policy covers aks-prod → contosoacr, so nobody can approve it and it expires unanswered.',
    ]);
  });

  test('names are inert in this text message: no link, image or mention, HTML escaped', () => {
    const plan = grantPlan();
    const hostile = {
      ...plan,
      cluster: { ...plan.cluster, name: '[x](https://evil)' },
      registry: { ...plan.registry, name: '<at>x</at>' },
    };
    const solo = { ...onlyRequester, id: '<img src=x>www.evil' };
    const text = nobodyDecidesText(
      [review('R-SOLO', { plan: hostile }), waiting('R-NONE', { plan: hostile })],
      (r) => (r.id === 'R-SOLO' ? solo : undefined),
      TENANT,
    )!;
    const pair = '[x] (https:\u200b//evil) → &lt;\u200bat&gt;x&lt;/\u200bat&gt;';
    const rule = '&lt;img src=x&gt;www\u200b.evil';
    expect(text.split('\n').slice(1)).toEqual([
      `- R-SOLO: its break-glass review is owed. Rule ${rule} names only its requester as approver, who may not review it, so nobody can review it until an approver is added to rule ${rule} in the approval policy.`,
      `- R-NONE: no rule of the approval policy covers ${pair}, so nobody can approve it and it expires unanswered.`,
    ]);
    expect(text).not.toMatch(/\]\(|:\/\/|<|www\./);
  });

  test("nothing to say: someone may decide each, or it is another tenant's", () => {
    expect(nobodyDecidesText([review('R-FINE'), waiting('R-OK')], () => named, TENANT)).toBeUndefined();
    expect(nobodyDecidesText([review('R-SOLO', { tenantId: 'other' })], () => onlyRequester, TENANT)).toBeUndefined();
  });

  test('at most NOBODY_DECIDES_SHOWN named, the rest counted', () => {
    const many = Array.from({ length: NOBODY_DECIDES_SHOWN + 3 }, (_, i) => review(`R-${i}`));
    const lines = nobodyDecidesText(many, () => onlyRequester, TENANT)!.split('\n');
    expect(lines[0]).toMatch(/^13 requests wait/);
    expect(lines).toHaveLength(NOBODY_DECIDES_SHOWN + 2);
    expect(lines.at(-1)).toBe('- and 3 more.');
  });

  test('exactly NOBODY_DECIDES_SHOWN waiting: all named, no "and 0 more" line', () => {
    const all = Array.from({ length: NOBODY_DECIDES_SHOWN }, (_, i) => review(`R-${i}`));
    const lines = nobodyDecidesText(all, () => onlyRequester, TENANT)!.split('\n');
    expect(lines).toHaveLength(NOBODY_DECIDES_SHOWN + 1);
    expect(lines.at(-1)).toMatch(/^- R-9: /);
    expect(lines.join('\n')).not.toContain('more.');
  });
});
