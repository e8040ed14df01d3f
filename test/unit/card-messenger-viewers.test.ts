/**
 * The per-user views of a request card (`refresh.userIds`, CONTRACTS §7a) name the requester and
 * the approvers Teams knows in the card's conversation. Someone Teams says is not there (404) is
 * not asked about again in that conversation; a lookup that failed for another reason (throttled,
 * a 5xx, no answer) says nothing about them and is asked again at the next card write, so one bad
 * moment does not leave an approver without their Approve view for the life of the process.
 */
import type { Activity, CloudAdapter, ConversationReference } from 'botbuilder';
import { CardMessenger } from '../../src/bot/card-messenger';
import { transition } from '../../src/domain/request';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import { AT, CardUpdateAdapter, type FakeMember, MRI, storedWithApproverCopy } from './support/card-copies';
import { APPROVER } from './support/requests';

/** Connector failures as the SDK throws them (a RestError's statusCode). */
const failure = (statusCode: number) => Object.assign(new Error(`connector said ${statusCode}`), { statusCode });

/** An adapter whose members API answers from `answers` (one per lookup), else from MRI; records card updates. */
class MembersAdapter extends CardUpdateAdapter {
  readonly lookups: string[] = [];
  readonly answers: Array<Error | undefined> = [];
  readonly updates: Array<Partial<Activity>> = [];

  protected async member(_reference: Partial<ConversationReference>, objectId: string): Promise<FakeMember> {
    this.lookups.push(objectId);
    const answer = this.answers.shift();
    if (answer) throw answer;
    if (!MRI[objectId]) throw failure(404);
    return { id: MRI[objectId], aadObjectId: objectId };
  }

  protected updated(activity: Partial<Activity>): void {
    this.updates.push(activity);
  }
}

async function setup() {
  const adapter = new MembersAdapter();
  const store = new MemoryRequestStore();
  const messenger = new CardMessenger(
    adapter as unknown as CloudAdapter,
    'app-1',
    store,
    createLogger({ level: 'silent' }),
  );
  messenger.approverIdsOf = () => [APPROVER.objectId];
  const pending = await storedWithApproverCopy(store);
  return { adapter, messenger, pending };
}

/** `refresh.userIds` of the last card update. */
const userIdsOfLast = (adapter: MembersAdapter) =>
  (adapter.updates[adapter.updates.length - 1].attachments?.[0]?.content as { refresh?: { userIds?: string[] } })
    .refresh?.userIds;

test.each([
  ['throttled (429)', 429],
  ['a 503', 503],
])(
  'an approver whose lookup failed %s is asked about again, and gets their view at the next card write',
  async (_, status) => {
    const t = await setup();
    t.adapter.answers.push(undefined, failure(status)); // the requester is found; the approver's lookup fails
    await t.messenger.requestChanged({ ...t.pending, version: t.pending.version + 1 });
    expect(userIdsOfLast(t.adapter)).toEqual(['29:riley']);
    await t.messenger.requestChanged(transition(t.pending, { type: 'approve', by: APPROVER, at: AT }));
    expect(t.adapter.lookups.filter((id) => id === APPROVER.objectId)).toHaveLength(2);
    expect(userIdsOfLast(t.adapter)).toEqual(['29:riley', '29:alex']);
  },
);

test('someone Teams says is not in the conversation (404) is asked about once there within the hour (ABSENT_MEMBER_TTL_MS)', async () => {
  const t = await setup();
  t.adapter.answers.push(undefined, failure(404));
  await t.messenger.requestChanged({ ...t.pending, version: t.pending.version + 1 });
  await t.messenger.requestChanged(transition(t.pending, { type: 'approve', by: APPROVER, at: AT }));
  expect(t.adapter.lookups.filter((id) => id === APPROVER.objectId)).toHaveLength(1);
  expect(userIdsOfLast(t.adapter)).toEqual(['29:riley']);
});
