/**
 * Teams' answer that a named approver is not a member of the approvals channel (404) is believed
 * for ABSENT_MEMBER_TTL_MS only: an approver added to the channel later is asked about again
 * and gets their own view (`refresh.userIds`) on a long-running instance too, as on a fresh one;
 * a clock moved back counts as expired.
 * A lookup Teams refused for acrbot's own reasons (401, 403) says nothing about the person: it is
 * not remembered, and the next card asks again.
 */
import type { Activity, CloudAdapter, ConversationReference } from 'botbuilder';
import { ABSENT_MEMBER_TTL_MS, CardMessenger } from '../../src/bot/card-messenger';
import type { Clock } from '../../src/domain/ports';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import { APPROVALS_CHANNEL, AT, CardUpdateAdapter, type FakeMember, MRI } from './support/card-copies';
import { APPROVER, pendingRequest } from './support/requests';

/** A second named approver, not in the approvals channel at first. */
const BOB = '0a000000-0000-4000-8000-00000000ddd4';
const BOB_MRI = '29:bob';

/** A connector failure as the SDK throws it (a RestError's statusCode). */
const failure = (statusCode: number) => Object.assign(new Error(`connector said ${statusCode}`), { statusCode });

/** Teams' members API: the channel's members (object id → MRI), else 404; `answers` first, one per lookup. */
class ChannelMembers extends CardUpdateAdapter {
  readonly members: Record<string, string> = { ...MRI };
  readonly answers: Array<Error | undefined> = [];
  readonly lookups: string[] = [];

  protected async member(_reference: Partial<ConversationReference>, objectId: string): Promise<FakeMember> {
    this.lookups.push(objectId);
    const answer = this.answers.shift();
    if (answer) throw answer;
    if (!this.members[objectId]) throw failure(404);
    return { id: this.members[objectId], aadObjectId: objectId };
  }

  protected updated(_activity: Partial<Activity>): void {}
}

function setup() {
  const adapter = new ChannelMembers();
  let now = AT.getTime();
  const clock: Clock = { now: () => new Date(now) };
  const messenger = new CardMessenger(
    adapter as unknown as CloudAdapter,
    'app-1',
    new MemoryRequestStore(),
    createLogger({ level: 'silent' }),
    undefined,
    { approvalChannelId: APPROVALS_CHANNEL, defaultAccessMs: 86_400_000 },
    undefined,
    clock,
  );
  messenger.approverIdsOf = () => [APPROVER.objectId, BOB];
  const reference: Partial<ConversationReference> = {
    serviceUrl: 'https://smba.example/',
    conversation: { id: APPROVALS_CHANNEL, conversationType: 'channel', tenantId: 't', isGroup: true, name: '' },
  };
  /** `refresh.userIds` of the approvers' card of a new pending request, as this instance draws it now. */
  const viewers = async (): Promise<string[]> => {
    const card = await messenger.postedRequestCard(pendingRequest(), reference, 'approver');
    return (card as { refresh?: { userIds?: string[] } }).refresh?.userIds ?? [];
  };
  const bobLookups = () => adapter.lookups.filter((id) => id === BOB).length;
  return { adapter, viewers, bobLookups, advance: (ms: number) => void (now += ms) };
}

test('an approver added to the approvals channel gets their view once the "not a member" answer expired', async () => {
  const t = setup();
  expect(await t.viewers()).not.toContain(BOB_MRI); // Teams: not a member (404)
  t.adapter.members[BOB] = BOB_MRI; // Bob is added to the approvals channel
  t.advance(ABSENT_MEMBER_TTL_MS - 1);
  expect(await t.viewers()).not.toContain(BOB_MRI); // the answer is still believed: not asked again
  expect(t.bobLookups()).toBe(1);
  t.advance(1);
  expect(await t.viewers()).toContain(BOB_MRI);
  expect(t.bobLookups()).toBe(2);
});

test('a clock moved back after the "not a member" answer counts as expired: the approver is asked again', async () => {
  const t = setup();
  expect(await t.viewers()).not.toContain(BOB_MRI); // Teams: not a member (404)
  t.adapter.members[BOB] = BOB_MRI; // Bob is added to the approvals channel
  t.advance(-1); // the process clock corrected back a moment, well within the TTL of the answer
  expect(await t.viewers()).toContain(BOB_MRI);
  expect(t.bobLookups()).toBe(2);
});

test.each([401, 403])(
  'a lookup refused with %s does not mark the approver absent: the next card asks again',
  async (status) => {
    const t = setup();
    t.adapter.answers.push(undefined, undefined, failure(status)); // the requester and Alex found; Bob's lookup refused
    t.adapter.members[BOB] = BOB_MRI;
    expect(await t.viewers()).not.toContain(BOB_MRI);
    expect(await t.viewers()).toContain(BOB_MRI); // same moment: no expiry involved
    expect(t.bobLookups()).toBe(2);
  },
);
