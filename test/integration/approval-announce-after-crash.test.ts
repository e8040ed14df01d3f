/**
 * A request's approvers' card is an obligation in the store (G13 with many instances): the
 * create schedules its `approval.announce` job, so a process that stops after storing a pending
 * request and before posting its card (here: its post to the approvals channel never returns)
 * leaves it to whichever instance runs the job, which posts the card once. A request whose
 * announcement posted its card gets no second one from the job. A break-glass grant schedules
 * the job too: its review card and alert are owed the same way.
 */
import { SANDBOX_APPROVAL_CHANNEL_ID, SANDBOX_USERS } from '../../src/sandbox/fixtures';
import { approvalAnnounceJobId } from '../../src/flows/request-jobs';
import { type CapturingConnector, cardText } from '../helpers/capturing-connector';
import { breakGlassPolicyYaml, writePolicyFile } from '../helpers/break-glass-policy';
import { type Harness, startHarness, users } from '../helpers/harness';
import type { TeamsUser } from '../helpers/teams-activities';
import { TempDirs } from '../helpers/temp-dirs';
import { twoInstancesOnOneStore } from '../helpers/two-instances';

jest.setTimeout(60_000);

const START = new Date('2026-12-01T09:00:00Z');
let now = START;
const clock = { now: () => now };
const MINUTE = 60_000;
const tempDirs = new TempDirs();
afterAll(() => tempDirs.removeAll());

/** New posts of `id`'s card in the approvals channel (not updates of one). */
function approvalPosts(connector: CapturingConnector, id: string) {
  return connector.calls.filter(
    (c) =>
      c.conversationId.startsWith(SANDBOX_APPROVAL_CHANNEL_ID) &&
      c.op !== 'update' &&
      // The card, not the message mentioning its approvers in its thread.
      (c.activity.attachments?.length ?? 0) > 0 &&
      cardText(c.activity).includes(id),
  );
}

async function postedEntries(h: Harness, id: string) {
  return (await h.app.audit.forRequest(id)).filter((e) => e.action === 'approval.card.posted');
}

beforeEach(() => {
  now = START;
});

test('a request stored by an instance that stops before its approvers card is announced by another instance, once', async () => {
  const both = await twoInstancesOnOneStore('acrbot-announce-', {}, { clock, sweepIntervalMs: 0 });
  const { first, second, connector } = both;
  // The first instance's post to the approvals channel never returns: it "dies" posting the card.
  // Once it is stuck there, the prefix is let go, so the second instance's posts go through.
  const held = (connector as unknown as { held: Map<string, PromiseLike<void>> }).held;
  let reached!: () => void;
  const atPost = new Promise<void>((resolve) => (reached = resolve));
  let unblock!: () => void;
  const never = new Promise<void>((resolve) => (unblock = resolve));
  held.set(SANDBOX_APPROVAL_CHANNEL_ID, {
    then: (ok, ko) => {
      reached();
      return never.then(ok, ko);
    },
  });
  try {
    const turn = first.say(users.requester, 'grant aks-prod contosoacr deploy payments-api').catch(() => undefined);
    await atPost;
    held.delete(SANDBOX_APPROVAL_CHANNEL_ID);
    const [request] = await second.app.store.listByState(['pending']);
    expect(request).toBeDefined();
    const id = request.id;
    expect(approvalPosts(connector, id)).toEqual([]);

    // Not before its grace period: the announcement may still be posting.
    await second.app.scheduler.runDue();
    expect(approvalPosts(connector, id)).toEqual([]);

    now = new Date(START.getTime() + 3 * MINUTE);
    await second.app.scheduler.runDue();
    expect(approvalPosts(connector, id)).toHaveLength(1);
    expect(await postedEntries(second, id)).toHaveLength(1);
    expect((await second.app.store.listCardCopies(id)).map((c) => c.role)).toContain('approver');
    expect(await second.app.stores.schedule.get(approvalAnnounceJobId(id))).toBeUndefined();
    expect((await second.app.store.get(id))!.state).toBe('pending');

    // Run again (another instance, a later sweep): nothing more.
    now = new Date(START.getTime() + 10 * MINUTE);
    await first.app.scheduler.runDue();
    await second.app.scheduler.runDue();
    expect(approvalPosts(connector, id)).toHaveLength(1);
    unblock();
    await turn;
  } finally {
    unblock();
    await both.stop();
  }
});

test('a request whose announcement posted its card gets no second card from its job', async () => {
  const h = await startHarness({}, { clock, sweepIntervalMs: 0 });
  try {
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    expect(approvalPosts(h.connector, request.id)).toHaveLength(1);
    expect(await h.app.stores.schedule.get(approvalAnnounceJobId(request.id))).toBeDefined();

    now = new Date(START.getTime() + 3 * MINUTE);
    await h.app.scheduler.runDue();
    expect(await h.app.stores.schedule.get(approvalAnnounceJobId(request.id))).toBeUndefined();
    expect(approvalPosts(h.connector, request.id)).toHaveLength(1);
    expect(await postedEntries(h, request.id)).toHaveLength(1);
  } finally {
    await h.stop();
  }
});

test('a break-glass grant schedules its approval.announce job too: its review card is owed like an approval card', async () => {
  const policyFile = writePolicyFile(tempDirs.make('acrbot-announce-bg-'), breakGlassPolicyYaml());
  const h = await startHarness({ ACRBOT_POLICY: policyFile }, { clock, sweepIntervalMs: 0 });
  try {
    const olive = SANDBOX_USERS.oncall as TeamsUser;
    const bg = await h.requestGrant(olive, 'aks-prod contosoacr --break-glass prod is down, image pull failing');
    expect(bg.policy?.breakGlass).toBe(true);
    expect(await h.app.stores.schedule.get(approvalAnnounceJobId(bg.id))).toMatchObject({
      kind: 'approval.announce',
    });
  } finally {
    await h.stop();
  }
});
