/**
 * G16 for read commands: one person cannot drive acrbot's ARM and Graph reads without bound.
 * `check`, `policy`, `access`, `status`, `pending` and `audit` count towards
 * ACRBOT_READS_PER_10_MINUTES (one request by its id, `pending R-…` and `status R-…`, does not:
 * approving must always work); the one over it is answered with the count and when to try again,
 * and reads nothing. The count is in the store, so it holds across instances. The limits'
 * refusals (reads and requests) are audited once per person and window (G11), the rest logged.
 */
import type { AuditEntry } from '../../src/domain/audit-chain';
import type { Sandbox } from '../../src/sandbox/sandbox';
import { cardText } from '../helpers/capturing-connector';
import { FakeClock } from '../unit/support/fake-clock';
import { grantApproved } from '../helpers/grant-approved';
import { type Harness, startHarness, users } from '../helpers/harness';
import { channelMessage, postActivity, type TeamsUser } from '../helpers/teams-activities';
import { twoInstancesOnOneStore } from '../helpers/two-instances';
import { MemoryAbuseLedger } from '../../src/integrations/store/memory-coordination';

/** The limits' windows depend on the clock: 5 s into a 10-minute window. */
const START = '2026-11-30T12:00:05.000Z';

/** `user`'s audit entries with `action`, oldest first. */
async function entries(h: Harness, user: TeamsUser, action: string): Promise<AuditEntry[]> {
  return (await h.app.audit.latest(200))
    .filter((e) => e.action === action && e.actor.objectId === user.objectId)
    .sort((a, b) => a.seq - b.seq);
}

/** Azure and Graph requests the emulators have seen so far. */
function azureCalls(h: Harness): number {
  return h.app.sandbox!.arm.requests.length + h.app.sandbox!.graph.requests.length;
}

const REFUSED =
  /You have run 3 read commands .* in the last 10 minutes.*try again at 12:10 UTC\. Nothing was read or changed\./;

describe('G16: the per-user limit on read commands (ACRBOT_READS_PER_10_MINUTES)', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  test('the read over the limit is refused clearly with no Azure or Graph call; others and the next window are open', async () => {
    const clock = new FakeClock(START);
    h = await startHarness({ ACRBOT_READS_PER_10_MINUTES: '3' }, { clock });
    // Three different reads count alike.
    expect(await h.ask(users.requester, 'check aks-prod contosoacr')).not.toMatch(/read commands/);
    expect(await h.ask(users.requester, 'policy aks-prod contosoacr')).not.toMatch(/read commands/);
    expect(await h.ask(users.requester, 'access')).not.toMatch(/read commands/);
    const before = azureCalls(h);
    expect(await h.ask(users.requester, 'check aks-prod contosoacr')).toMatch(REFUSED);
    expect(await h.ask(users.requester, 'access aks-prod')).toMatch(REFUSED);
    expect(azureCalls(h)).toBe(before);
    // help reads nothing and is never refused; someone else has their own count.
    expect(await h.ask(users.requester, 'help')).not.toMatch(/read commands/);
    expect(await h.ask(users.outsider, 'check aks-prod contosoacr')).not.toMatch(/read commands/);
    // Audited once in the window (two refusals), the second only logged.
    const audited = await entries(h, users.requester, 'read.refused.rate');
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({ outcome: 'refused', detail: 'command=check' });
    const logged = h.logs.entries().filter((l) => l.msg === 'refused by the per-user limits' && !l.audited);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ code: 'limits.reads', audited: false, detail: 'command=access' });
    // The next window is open again, and its first refusal is audited again.
    clock.advance(10 * 60_000);
    for (let i = 0; i < 3; i++)
      expect(await h.ask(users.requester, 'check aks-prod contosoacr')).not.toMatch(/read commands/);
    expect(await h.ask(users.requester, 'check aks-prod contosoacr')).toMatch(/try again at 12:20 UTC/);
    expect(await entries(h, users.requester, 'read.refused.rate')).toHaveLength(2);
  });

  test("Teams' redelivery of a read is answered but counted once", async () => {
    h = await startHarness({ ACRBOT_READS_PER_10_MINUTES: '2' }, { clock: new FakeClock(START) });
    const activity = channelMessage(users.requester, 'check aks-prod contosoacr', { serviceUrl: h.serviceUrl });
    for (const delivery of ['first', 'second']) {
      const before = h.connector.calls.length;
      expect((await postActivity(h.app.url, activity)).status).toBe(200);
      const reply = await h.connector.waitFor(
        (c) => h.connector.calls.indexOf(c) >= before && c.op !== 'update' && cardText(c.activity) !== '',
        10_000,
        `the answer to the ${delivery} delivery`,
      );
      expect(cardText(reply.activity)).not.toMatch(/read commands/);
    }
    // One read counted: the second of the limit is open, the third is not.
    expect(await h.ask(users.requester, 'policy aks-prod contosoacr')).not.toMatch(/read commands/);
    expect(await h.ask(users.requester, 'access')).toMatch(/You have run 2 read commands/);
  });

  test('a store error counting a read answers the read anyway, with one error log line (fail open)', async () => {
    const abuse = new MemoryAbuseLedger();
    abuse.hit = async () => {
      throw new Error('the abuse table is unreachable');
    };
    h = await startHarness({ ACRBOT_READS_PER_10_MINUTES: '3' }, { clock: new FakeClock(START), stores: { abuse } });
    const answer = await h.ask(users.requester, 'policy aks-prod contosoacr');
    expect(answer).not.toMatch(/something went wrong|read commands/i);
    expect(answer).toMatch(/aks-prod/);
    const errors = h.logs.entries().filter((l) => Number(l.level) >= 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      msg: 'the read limit could not be checked; the read is answered',
      command: 'policy',
      err: { message: 'the abuse table is unreachable' },
    });
  });

  test('a refused read changes nothing: the request being filled in is kept', async () => {
    h = await startHarness({ ACRBOT_READS_PER_10_MINUTES: '1' }, { clock: new FakeClock(START) });
    // In the 1:1 chat, where the questions of a request continue from message to message.
    const ask = async (text: string) => {
      const before = h.connector.calls.length;
      expect((await h.say(users.requester, text, 'personal')).status).toBe(200);
      const reply = await h.connector.waitFor(
        (c) => h.connector.calls.indexOf(c) >= before && c.op !== 'update' && cardText(c.activity) !== '',
        10_000,
        `an answer to "${text}"`,
      );
      return cardText(reply.activity);
    };
    expect(await ask('status')).not.toMatch(/read commands/);
    expect(await ask('grant aks-prod')).toMatch(/Which registry/);
    const refused = await ask('check aks-prod contosoacr');
    expect(refused).toMatch(/You have run 1 read command \(/);
    expect(refused).not.toMatch(/filling in/);
    // The question is still open: the answer continues the request.
    expect(await ask('contosoacr')).toMatch(/Why is the access needed/);
  });

  test('one request by its id never counts: 31 `pending R-…` in a window all bring the Approve card; the lists count', async () => {
    h = await startHarness({}, { clock: new FakeClock(START) });
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    // The default limit (30): the tab's "Open in chat to approve", once more than that.
    for (let i = 0; i < 31; i++) {
      const before = h.connector.calls.length;
      // In a chat with acrbot, as the tab's link opens it: request cards go only where approvers alone read.
      await h.say(users.approver, `pending ${request.id}`, 'personal');
      await h.connector.waitFor(
        (c) =>
          h.connector.calls.indexOf(c) >= before &&
          /"verb":"refresh"/.test(JSON.stringify(c.activity)) &&
          cardText(c.activity).includes(request.id),
        10_000,
        `the approvers' card, time ${i + 1}`,
      );
    }
    expect(await h.ask(users.requester, `status ${request.id}`)).not.toMatch(/read commands/);
    expect(h.logs.entries().filter((l) => l.msg === 'refused by the per-user limits')).toEqual([]);
    // The list still counts: 30 in the window, the 31st refused.
    for (let i = 0; i < 30; i++) expect(await h.ask(users.approver, 'pending')).not.toMatch(/read commands/);
    expect(await h.ask(users.approver, 'pending')).toMatch(/You have run 30 read commands/);
  });

  test('the request rate limit (ACRBOT_REQUESTS_PER_MINUTE) is audited once per window, the rest logged', async () => {
    const clock = new FakeClock(START);
    h = await startHarness({ ACRBOT_REQUESTS_PER_MINUTE: '1' }, { clock });
    await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    for (const pair of ['aks-dev contosoacr', 'aks-legacy contosoacr', 'aks-dev contosoacr'])
      expect(await h.ask(users.requester, `grant ${pair} one too many`)).toMatch(
        /more than 1 request in the last minute/,
      );
    const audited = await entries(h, users.requester, 'request.refused.rate');
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({ outcome: 'refused', detail: 'grant aks-dev contosoacr' });
    clock.advance(60_000);
    await h.requestGrant(users.requester, 'aks-dev contosoacr a minute later');
    expect(await h.ask(users.requester, 'grant aks-legacy contosoacr again')).toMatch(/in the last minute/);
    expect(await entries(h, users.requester, 'request.refused.rate')).toHaveLength(2);
  });

  test('an extension refused by the request rate limit is audited once per window too', async () => {
    h = await startHarness({ ACRBOT_REQUESTS_PER_MINUTE: '1' }, { clock: new FakeClock(START) });
    const request = await grantApproved(h, 'aks-prod contosoacr --for 1d deploy payments-api');
    for (let i = 0; i < 2; i++)
      expect(await h.ask(users.requester, `extend ${request.id} --for 7d release slipped`)).toMatch(
        /more than 1 request in the last minute/,
      );
    const audited = await entries(h, users.requester, 'request.refused.rate');
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({ outcome: 'refused', detail: `extend ${request.id}` });
    // One log line per refusal (the one docs/operations.md lists), not a second from the flows.
    const logged = h.logs.entries().filter((l) => /not admitted|refused by the per-user limits/.test(String(l.msg)));
    expect(logged.map((l) => [l.msg, l.audited])).toEqual([
      ['refused by the per-user limits', true],
      ['refused by the per-user limits', false],
    ]);
  });

  test('the pending cap (ACRBOT_MAX_PENDING_PER_USER) refused at the door is audited once per window', async () => {
    h = await startHarness({ ACRBOT_MAX_PENDING_PER_USER: '1' }, { clock: new FakeClock(START) });
    await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    for (const pair of ['aks-dev contosoacr', 'aks-legacy contosoacr'])
      expect(await h.ask(users.requester, `grant ${pair} one too many`)).toContain(
        'You already have 1 request waiting',
      );
    const audited = await entries(h, users.requester, 'request.refused.pending');
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({ outcome: 'refused', detail: 'grant aks-dev contosoacr' });
    expect(audited[0].requestId).toBeUndefined();
  });
});

describe('the read limit across two instances on one store', () => {
  let sandbox: Sandbox;
  let first: Harness;
  let second: Harness;
  let stop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    // One clock for both: they count in the same window.
    ({ first, second, sandbox, stop } = await twoInstancesOnOneStore(
      'acrbot-read-limits-',
      { ACRBOT_READS_PER_10_MINUTES: '3' },
      { clock: new FakeClock(START) },
    ));
  });
  afterAll(() => stop?.());

  test('reads on either instance count together; the refusal is audited once for both', async () => {
    expect(await first.ask(users.requester, 'check aks-prod contosoacr')).not.toMatch(/read commands/);
    expect(await second.ask(users.requester, 'check aks-prod contosoacr')).not.toMatch(/read commands/);
    expect(await first.ask(users.requester, 'policy aks-prod contosoacr')).not.toMatch(/read commands/);
    const before = sandbox.arm.requests.length + sandbox.graph.requests.length;
    expect(await second.ask(users.requester, 'check aks-prod contosoacr')).toMatch(REFUSED);
    expect(await first.ask(users.requester, 'check aks-prod contosoacr')).toMatch(REFUSED);
    expect(sandbox.arm.requests.length + sandbox.graph.requests.length).toBe(before);
    expect(await entries(first, users.requester, 'read.refused.rate')).toHaveLength(1);
  });
});
