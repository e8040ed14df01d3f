/**
 * Teams renders a bot's text message (a reminder, an escalation, `pending`'s line for what nobody
 * can decide) as markdown: a name typed `**boss**` showed bold, `_x_` in italics, `~~x~~` struck
 * through and `` `x` `` as code, in a line acrbot writes. inertMessageText escapes those marks with
 * a backslash, markdown's own way, so the name reads as typed once rendered, `my_rg` included.
 */
import type { PolicyRule } from '../../src/domain/policy';
import { inertMessageText } from '../../src/views/message-text-inert';
import { nobodyDecidesText } from '../../src/views/nobody-decides-text';
import { escalationMessage, reminderMessage } from '../../src/views/nudge-view';
import { rule } from './support/policy-fixtures';
import { APPROVER, grantPlan, pendingRequest, REQUESTER } from './support/requests';

/** What a reader sees of `text`: markdown's backslash escapes taken, then the HTML entities. */
function rendered(text: string): string {
  return text
    .replace(/\\([!-/:-@[-`{-~])/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** `text` without its escaped characters: what markdown may still read as a mark. */
const unescaped = (text: string) => text.replace(/\\[!-/:-@[-`{-~]/g, '');

describe('inertMessageText escapes markdown marks', () => {
  test.each([
    ['**boss**', '\\*\\*boss\\*\\*'],
    ['_x_', '\\_x\\_'],
    ['my_rg', 'my\\_rg'],
    ['~~struck~~', '\\~\\~struck\\~\\~'],
    ['`code`', '\\`code\\`'],
    ['***all***', '\\*\\*\\*all\\*\\*\\*'],
    // A backslash before a mark would escape acrbot's escape: it is escaped itself.
    ['\\*not bold*', '\\\\\\*not bold\\*'],
    ['<b>**x**</b> & co', '&lt;b&gt;\\*\\*x\\*\\*&lt;/b&gt; &amp; co'],
  ])('%s', (name, out) => {
    const text = inertMessageText(name);
    expect(text).toBe(out);
    expect(rendered(text)).toBe(name);
    expect(unescaped(text)).not.toMatch(/[*_~`\\]/);
  });

  test.each(['CONTOSO\\jdoe', 'Riley Requester', 'rg-aks', 'a.b (c) #1 - 2 + 3 = 5!'])(
    '%s: nothing markdown reads as a mark, left as it is',
    (name) => {
      expect(inertMessageText(name)).toBe(name);
    },
  );
});

describe('names in the text messages read as typed', () => {
  const approvers = { id: 'prod_rule', approvers: { users: [APPROVER.objectId], groups: [] } } as unknown as PolicyRule;
  const plan = grantPlan();
  const inRg = pendingRequest({
    requester: { ...REQUESTER, name: '**boss** _x_' },
    plan: { ...plan, cluster: { ...plan.cluster, name: 'aks_dev' } },
  });

  test.each([
    ['reminder', () => reminderMessage(inRg, approvers).text],
    ['escalation', () => escalationMessage(inRg, { ...approvers, escalateAfterMs: 3_600_000 } as PolicyRule).text],
  ])('%s', (_kind, text) => {
    const said = text();
    expect(said).toContain('from \\*\\*boss\\*\\* \\_x\\_)');
    expect(said).toContain('(aks\\_dev → ');
    expect(rendered(said)).toContain('(aks_dev → contosoacr, from **boss** _x_)');
    expect(unescaped(said)).not.toMatch(/[*_~`]/);
  });

  test("pending's line for what nobody can decide: a rule id with `_` and a name in marks read as written", () => {
    const solo = rule('solo_rule', { approvers: { users: [REQUESTER.objectId], groups: [] } });
    const hostile = { ...grantPlan(), registry: { ...grantPlan().registry, name: '~~acr~~' } };
    const text = nobodyDecidesText(
      [pendingRequest({ id: 'R-SOLO', tenantId: 't' }), pendingRequest({ id: 'R-NONE', plan: hostile, tenantId: 't' })],
      (r) => (r.id === 'R-SOLO' ? solo : undefined),
      't',
    )!;
    expect(text).toContain('rule solo\\_rule,');
    expect(text).toContain('→ \\~\\~acr\\~\\~,');
    expect(rendered(text)).toContain('rule solo_rule,');
    expect(rendered(text)).toContain('→ ~~acr~~,');
    expect(unescaped(text)).not.toMatch(/[*_~`]/);
  });
});
