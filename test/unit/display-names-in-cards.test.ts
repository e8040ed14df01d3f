/**
 * Teams display names are chosen by their owners, so they are user text: every card (and the
 * nudge message) that names a requester, approver or revoker shows the name readable but with
 * no live link, image or mention. The names reach the views from turns and from the tab's SSO
 * token, and old records keep them as stored, so the views neutralise them.
 */
import type { Activity, CloudAdapter, ConversationReference } from 'botbuilder';
import { CardMessenger } from '../../src/bot/card-messenger';
import type { PolicyRule } from '../../src/domain/policy';
import type { AccessRequest, Actor } from '../../src/domain/request';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import type { AdaptiveCardJson } from '../../src/views/card-templates';
import { requesterNewsCard, revokeConfirmCard, revokePairConfirmCard } from '../../src/views/lifecycle-view';
import { breakGlassCard } from '../../src/views/policy-view';
import { outcomeCard, requestCard } from '../../src/views/request-view';
import { escalationMessage, reminderMessage } from '../../src/views/nudge-view';
import { APPROVER, pendingRequest, REQUESTER } from './support/requests';

/** A live link, an image, or a mention tag: what a hostile name must not become. */
const LIVE = /\]\(|https?:\/\/evil|<\/?at>/i;
const AT = '2025-01-15T10:00:00.000Z';

const hostile = (actor: Actor, who: string): Actor => ({
  ...actor,
  name: `[${who}](https://evil.example/sso) ![logo](https://evil.example/a.png) <at>Alex</at>`,
});
const requester = hostile(REQUESTER, 'Approve here');
const approver = hostile(APPROVER, 'Signed off');

const pending = pendingRequest({
  requester,
  plan: { ...pendingRequest().plan, operations: [`Replaces secret from request R-2222AAAA (by ${requester.name})`] },
});
const approved: AccessRequest = {
  ...pending,
  state: 'succeeded',
  decision: { by: approver, at: AT, approved: true },
  approvals: [{ by: approver, at: AT }],
  access: { durationMs: 86_400_000, expiresAt: '2025-01-16T10:00:00.000Z' },
  outcome: { summary: 'Granted AcrPull on contosoacr.', azureRequestIds: ['x'] },
};
const rejected: AccessRequest = { ...pending, state: 'rejected', decision: { by: approver, at: AT, approved: false } };
const revoked: AccessRequest = {
  ...approved,
  state: 'revoked',
  access: { ...approved.access!, revokedAt: AT, revokedBy: approver, revokeReason: 'incident 42' },
};
const breakGlass: AccessRequest = {
  ...approved,
  policy: { ruleId: 'break-glass', policyHash: 'h', approvalsRequired: 0, breakGlass: true, review: { dueAt: AT } },
};
const line = { what: 'role assignment', target: 'abc', action: 'delete' as const };

const cards: Array<[string, () => AdaptiveCardJson, string]> = [
  ['pending request (Requested by, operations)', () => requestCard(pending, { showActions: true }), 'Approve here'],
  [
    'refusal notice',
    () => requestCard(rejected, { showActions: false, notice: `rejected by ${approver.name}` }),
    'Signed off',
  ],
  ['rejected request (state line)', () => requestCard(rejected, { showActions: false }), 'Signed off'],
  ['revoked request (state line, Access)', () => requestCard(revoked, { showActions: false }), 'Signed off'],
  ['outcome (Approved by)', () => outcomeCard(approved), 'Signed off'],
  ['news: approved', () => requesterNewsCard(approved, { kind: 'approved' }), 'Signed off'],
  ['news: rejected', () => requesterNewsCard(rejected, { kind: 'rejected' }), 'Signed off'],
  ['news: revoked', () => requesterNewsCard(revoked, { kind: 'ended', by: approver, expired: false }), 'Signed off'],
  ['revoke confirmation (Term)', () => revokeConfirmCard(revoked, [line], undefined), 'Signed off'],
  [
    'revoke-all confirmation',
    () =>
      revokePairConfirmCard({ cluster: 'aks-prod', registry: 'contosoacr', sandbox: true }, [
        { request: approved, lines: [line] },
      ]),
    'Approve here',
  ],
  ['break-glass used', () => breakGlassCard(breakGlass, 'used'), 'Approve here'],
  ['break-glass unreviewed', () => breakGlassCard(breakGlass, 'unreviewed'), 'Approve here'],
];

test.each(cards)('%s: the name is readable and inert', (_what, render, readable) => {
  const json = JSON.stringify(render());
  expect(json).toContain(readable);
  expect(json).not.toMatch(LIVE);
});

test('a reminder names the requester inertly; its only mentions are the rule’s approvers', async () => {
  const sent: Array<Partial<Activity>> = [];
  const adapter = {
    async continueConversationAsync(_appId: string, _ref: unknown, logic: (ctx: unknown) => Promise<void>) {
      await logic({
        onSendActivities: () => undefined,
        sendActivity: async (activity: Partial<Activity>) => void sent.push(activity),
      });
    },
  };
  const store = new MemoryRequestStore();
  await store.create(pending);
  const conversation: Partial<ConversationReference> = { conversation: { id: '19:approvals' } as never };
  await store.addCardCopy({ requestId: pending.id, activityId: 'a1', role: 'approver', conversation });
  const messenger = new CardMessenger(
    adapter as unknown as CloudAdapter,
    'app-1',
    store,
    createLogger({ level: 'silent' }),
  );
  const rule = { id: 'r', approvers: { users: [APPROVER.objectId], groups: [] } } as unknown as PolicyRule;
  await messenger.nudgeApprovers(pending, rule, 'remind');
  expect(sent).toHaveLength(1);
  expect(sent[0].text).toContain('Approve here');
  expect(sent[0].text!.replace('<at>approver 1</at>', '')).not.toMatch(LIVE);
});

/**
 * Names that are live HTML, not markdown: Teams renders a bot's text-only message (the reminder
 * and the escalation) as HTML too, where `<a href>` is a link and `<img>` loads an image, and
 * `&#58;` is the `:` inertText looks for in `https://`. Adaptive Card TextBlocks render no HTML.
 */
describe('a nudge is a text message: HTML in a name stays text', () => {
  const htmlNames = [
    ['a link', '<a href="https&#58;//evil.example/sso">Approve R-7K2M9QXA</a>'],
    ['an image', '<img src="https&#58;//evil.example/t.png">'],
    ['an entity-encoded scheme', 'Riley https&#58;//evil.example/sso'],
    ['a mention tag', 'Riley <at>Alex</at> & co'],
  ];
  const rule = {
    id: 'r',
    approvers: { users: [APPROVER.objectId], groups: ['<img src=x>'] },
    escalateTo: { groups: ['<a href="https&#58;//evil.example">on-call</a>'] },
    escalateAfterMs: 3_600_000,
  } as unknown as PolicyRule;
  const messages = [
    ['reminder', reminderMessage],
    ['escalation', escalationMessage],
  ] as const;

  describe.each(messages)('%s', (_kind, message) => {
    test.each(htmlNames)('a name holding %s shows as typed, with no markup of its own', (_what, name) => {
      const request = pendingRequest({ requester: { ...REQUESTER, name } });
      const { text, entities } = message(request, rule);
      const escaped = name.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
      // Readable: what the name says, escaped (inertText may add a zero-width space after `<`).
      expect(text.replace(/\u200b/g, '')).toContain(escaped);
      // acrbot's own mention tags are the only markup left, and every `&` starts an escape.
      const ownTags = entities.reduce((t, m) => t.replace(m.text, ''), text);
      expect(ownTags).not.toMatch(/[<>]/);
      expect(ownTags).not.toMatch(/&(?!amp;|lt;|gt;)/);
      expect(ownTags).not.toContain('&#58;');
    });
  });
});
