/**
 * The approvers' copy of a pending request whose term an Approve would refuse now (a reload
 * lowered its rule's maxDuration under it) says so whenever it is drawn with its buttons: as
 * posted when Teams can name none of its approvers (CardMessenger.postedRequestCard) and when a
 * change redraws it (card-copy-updates.ts), in the words the reminders and escalations use
 * (nudge-view.ts approveRefusedNote). The request's cards are not redrawn by the reload itself.
 * Real RequestService (approveRefusedForTerm) on a reloadable policy; CardMessenger over a
 * recording adapter.
 */
import type { CloudAdapter, ConversationReference } from 'botbuilder';
import { BatchedRead } from '../../src/bot/batched-read';
import { CardMessenger } from '../../src/bot/card-messenger';
import { updateCopy } from '../../src/bot/card-copy-updates';
import type { AccessLimits } from '../../src/domain/access-term';
import { termApproveRefusal } from '../../src/domain/approve-refused';
import type { Policy } from '../../src/domain/policy';
import type { AccessRequest } from '../../src/domain/request';
import { RequestService } from '../../src/flows/request-service';
import type { FlowSettings } from '../../src/flows/settings';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import { approveRefusedLine, requestCard } from '../../src/views/request-view';
import { approveRefusedNote } from '../../src/views/nudge-view';
import { FakeClock, HOUR } from './support/fake-clock';
import { fakeDirectory } from './support/fake-directory';
import { APPROVERS_GROUP, DAY, policy, rule, settings } from './support/policy-fixtures';
import { RecordingAdapter } from './support/recording-adapter';
import { APPROVER, newGrant, REQUESTER } from './support/requests';

const log = createLogger({ level: 'silent' });
const WHY = 'asks for 30d, but rule prod now grants at most 8h';
const SAYS =
  'Approve would be refused: it asks for 30d, but rule prod now grants at most 8h; reject it, and its requester can ask again for less.';
const LIMITS: AccessLimits = { minMs: HOUR, maxMs: 365 * DAY, defaultMs: 8 * HOUR, allowPermanent: false };
const REFERENCE = {
  serviceUrl: 'https://smba.example/emea/',
  conversation: { id: '19:prod@thread.tacv2' },
} as Partial<ConversationReference>;

/** Every text of a card, one per line. */
function cardWords(card: unknown): string {
  const texts: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    if (typeof o.text === 'string') texts.push(o.text);
    Object.values(o).forEach(walk);
  };
  walk(card);
  return texts.join('\n');
}

async function world() {
  const clock = new FakeClock('2026-11-30T09:00:00.000Z');
  const store = new MemoryRequestStore();
  let current: Policy = policy([rule('prod', { maxDurationMs: 30 * DAY })]);
  const flowSettings: FlowSettings = { ...settings, access: LIMITS };
  const service = new RequestService(
    store,
    new MemoryAuditLog(clock),
    fakeDirectory({ [APPROVERS_GROUP]: [APPROVER.objectId] }),
    clock,
    flowSettings,
    { requestChanged: async () => undefined },
    log,
    undefined,
    { current: () => current },
  );
  const messenger = new CardMessenger(new RecordingAdapter() as unknown as CloudAdapter, 'app-1', store, log);
  messenger.approveRefusedForTerm = (request) => service.approveRefusedForTerm(request);
  const request = await service.create({ ...newGrant(REQUESTER), access: { durationMs: 30 * DAY } });
  const reload = (next: Policy) => (current = next);
  return { store, service, messenger, request, reload };
}

/** The approvers' copy as a change redraws it (updateCopy), with no approver Teams can name. */
async function redrawn(t: Awaited<ReturnType<typeof world>>, request: AccessRequest): Promise<unknown> {
  const drawn: unknown[] = [];
  await updateCopy(
    {
      store: t.store,
      log,
      viewersOf: async () => ({ all: [], approvers: [] }),
      inConversation: async (_reference, work) =>
        work({
          updateActivity: async (activity: { attachments: Array<{ content: unknown }> }) => {
            drawn.push(activity.attachments[0]!.content);
          },
        } as never),
      approveRefusedForTerm: (r) => t.service.approveRefusedForTerm(r),
    },
    { requestId: request.id, activityId: 'act-1', role: 'approver', conversation: REFERENCE },
    request,
    new BatchedRead(async () => request),
  );
  return drawn[0];
}

describe("the approvers' card of a request whose Approve a shortened rule would refuse", () => {
  test('says so as posted and as redrawn, in the nudges’ words; not before the reload, nor on the requester’s copy', async () => {
    const t = await world();
    expect(t.service.approveRefusedForTerm(t.request)).toBeUndefined();
    expect(cardWords(await t.messenger.postedRequestCard(t.request, REFERENCE, 'approver'))).not.toContain(
      'Approve would be refused',
    );

    t.reload(policy([rule('prod', { maxDurationMs: 8 * HOUR })], 'hash-2'));
    expect(t.service.approveRefusedForTerm(t.request)).toEqual(termApproveRefusal(WHY));
    expect(cardWords(await t.messenger.postedRequestCard(t.request, REFERENCE, 'approver'))).toContain(SAYS);
    expect(cardWords(await redrawn(t, t.request))).toContain(SAYS);
    expect(cardWords(await t.messenger.postedRequestCard(t.request, REFERENCE, 'requester'))).not.toContain(
      'Approve would be refused',
    );
  });

  test('the line is the nudges’ line, and only on a pending copy drawn with its buttons', async () => {
    const t = await world();
    const why = termApproveRefusal(WHY);
    expect(approveRefusedLine(why)).toBe(approveRefusedNote(why));
    expect(cardWords(requestCard(t.request, { showActions: true, approveRefused: why }))).toContain(SAYS);
    expect(cardWords(requestCard(t.request, { showActions: false, approveRefused: why }))).not.toContain(SAYS);
    const rejected: AccessRequest = { ...t.request, state: 'rejected' };
    expect(cardWords(requestCard(rejected, { showActions: true, approveRefused: why }))).not.toContain(SAYS);
    expect(t.service.approveRefusedForTerm(rejected)).toBeUndefined();
  });
});
