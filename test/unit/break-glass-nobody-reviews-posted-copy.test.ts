/**
 * The posted copies of a break-glass run's card (card-viewers.ts `postedCardFor`, as
 * CardMessenger posts and redraws them) say, as `status` and the outcome card do, that nobody can
 * give its owed review when nobody can as the policy stands (its rule, RequestService.ruleOf,
 * names only its requester), never "An approver must review it". A rule someone else reviews
 * under: the usual words. A recording adapter and the real CardMessenger on a memory store.
 */
import type { Activity, CloudAdapter, ConversationReference } from 'botbuilder';
import { CardMessenger } from '../../src/bot/card-messenger';
import type { PolicyRule } from '../../src/domain/policy';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { LogCapture } from '../helpers/log-capture';
import { breakGlassRequest } from './support/break-glass';
import { MemberAwareAdapter } from './support/member-aware-adapter';
import { OLIVE, rule } from './support/policy-fixtures';
import { APPROVER } from './support/requests';

const REFERENCE = {
  serviceUrl: 'https://smba.example/',
  conversation: { id: '19:approvals@thread.tacv2', conversationType: 'channel', tenantId: 't' },
} as Partial<ConversationReference>;

/** Rule prod as a reload left it: naming only Olive, its requester. */
const ONLY_OLIVE = rule('prod', { approvers: { users: [OLIVE.objectId], groups: [] } });
/** Rule prod naming another approver too: someone may review it. */
const SOMEONE = rule('prod', { approvers: { users: [OLIVE.objectId, APPROVER.objectId], groups: [] } });

/** Olive's break-glass run, its review owed, with its approvers' copy posted; a messenger wired with `reviewers`. */
async function setup(reviewers: PolicyRule) {
  const store = new MemoryRequestStore();
  const adapter = new MemberAwareAdapter();
  const request = breakGlassRequest(
    OLIVE,
    '2025-01-15T10:00:00.000Z',
    { dueAt: '2025-01-16T10:00:00.000Z' },
    { state: 'succeeded', access: { durationMs: 4 * 3_600_000, expiresAt: '2025-01-15T14:00:00.000Z' } },
  );
  await store.create(request);
  await store.addCardCopy({
    requestId: request.id,
    activityId: 'act-approvers',
    role: 'approver',
    conversation: REFERENCE,
  });
  const messenger = new CardMessenger(
    adapter as unknown as CloudAdapter,
    'app-1',
    store,
    new LogCapture().logger('warn'),
  );
  messenger.ruleOf = () => reviewers;
  return { adapter, messenger, request };
}

const text = (card: unknown) => JSON.stringify(card).replace(/\\"/g, '"');
const updated = (updates: { activity: Partial<Activity> }[]) => text(updates.at(-1)?.activity);

test("nobody can review it: the approvers' copy, as posted and as redrawn, says so, not that an approver must", async () => {
  const { adapter, messenger, request } = await setup(ONLY_OLIVE);
  const posted = text(await messenger.postedRequestCard(request, REFERENCE, 'approver'));
  await messenger.requestChanged(request);
  const redrawn = updated(adapter.updates);
  for (const card of [posted, redrawn]) {
    expect(card).toContain(
      'BREAK-GLASS: ran without approval; its review is owed by 2025-01-16 10:00 UTC, but nobody can give it yet',
    );
    expect(card).not.toMatch(/approver must review/i);
  }
});

test('someone else may review it: the usual words', async () => {
  const { adapter, messenger, request } = await setup(SOMEONE);
  const posted = text(await messenger.postedRequestCard(request, REFERENCE, 'approver'));
  await messenger.requestChanged(request);
  for (const card of [posted, updated(adapter.updates)])
    expect(card).toContain(
      'An approver must review it by 2025-01-16 10:00 UTC: Approve keeps it, Reject revokes it at once.',
    );
});
