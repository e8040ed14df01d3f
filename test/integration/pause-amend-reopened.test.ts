/**
 * The pause of new access (docs/operations.md, "Pause new access"), corrected and lifted:
 * `pause NEW REASON` while paused amends the pause in force (one pause, its start and author
 * kept, audited, posted again where approvers work), and whoever was refused while it held is
 * told in the conversation where they were refused once it is lifted: once, whichever of two
 * instances runs the job.
 */
import { cardText } from '../helpers/capturing-connector';
import { SANDBOX_USERS } from '../../src/sandbox/fixtures';
import { answerTo as ask } from '../helpers/answer-to';
import { type Harness, startHarness, users } from '../helpers/harness';
import { twoInstancesOnOneStore } from '../helpers/two-instances';

const clickText = (click: { body: { value: unknown } }) => cardText({ attachments: [{ content: click.body.value }] });

describe('amending the reason of the pause', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  test('a second pause with a new reason amends the one in force: same start and author, audited, posted again; the same reason changes nothing; a Resume card still lifts it', async () => {
    expect(await ask(h, users.approver, 'pause unexpected grnats on prod', 'personal')).toContain('New access paused');
    const first = (await h.app.stores.pause.current())!;

    const answer = await ask(h, users.approver, 'pause unexpected grants on prod, investigating', 'personal');
    expect(answer).toMatch(
      /Reason of the pause amended[^]*only its reason changed, from "unexpected grnats on prod" to the one below[^]*Reason\nunexpected grants on prod, investigating[^]*Reason amended\n.* by Alex Approver/,
    );
    const amended = (await h.app.stores.pause.current())!;
    expect(amended).toMatchObject({
      since: first.since,
      by: first.by,
      reason: 'unexpected grants on prod, investigating',
      amended: { by: { objectId: users.approver.objectId, name: 'Alex Approver' } },
    });
    const entries = await h.app.audit.latest(100);
    expect(entries.filter((e) => e.action === 'access.paused')).toHaveLength(1);
    const amendedEntries = entries.filter((e) => e.action === 'access.pause.amended');
    expect(amendedEntries).toHaveLength(1);
    expect(amendedEntries[0]).toMatchObject({ outcome: 'amended', actor: { objectId: users.approver.objectId } });
    expect(amendedEntries[0].detail).toMatch(
      /^unexpected grants on prod, investigating; was "unexpected grnats on prod" \(paused since .* by Alex Approver/,
    );
    // The approvers' channel sees the corrected reason too.
    const posted = await h.connector.waitFor(
      (c) =>
        c.conversationId.startsWith('19:sandbox-approvals') && /Reason of the pause amended/.test(cardText(c.activity)),
      5000,
      'the amendment posted in the approvals channel',
    );
    expect(cardText(posted.activity)).toContain('Reason\nunexpected grants on prod, investigating');

    // In the channel requesters read: amended, without either reason.
    const inChannel = await ask(h, users.approver, 'pause a reason nobody in the channel may read');
    expect(inChannel).toContain('Reason of the pause amended');
    expect(inChannel).not.toMatch(/nobody in the channel|unexpected grants/);
    await ask(h, users.approver, 'pause unexpected grants on prod, investigating', 'personal');

    // The same reason again: nothing changed, nothing audited.
    expect(await ask(h, users.approver, 'pause unexpected grants on prod, investigating', 'personal')).toMatch(
      /New access was already paused[^]*Nothing was changed/,
    );
    expect((await h.app.audit.latest(100)).filter((e) => e.action === 'access.pause.amended')).toHaveLength(3);

    // Only approvers amend.
    expect(await ask(h, users.requester, 'pause this reason is better than yours')).toContain(
      'Only approvers can pause new access; nothing was changed.',
    );
    expect((await h.app.stores.pause.current())!.reason).toBe('unexpected grants on prod, investigating');

    // The Resume card names the pause by its start and author: the amendment does not change them.
    const click = await h.click(users.approver, 'resumeConfirm', { since: first.since, by: first.by.objectId });
    expect(clickText(click)).toMatch(/New access resumed[^]*unexpected grants on prod, investigating/);
    expect(await h.app.stores.pause.current()).toBeUndefined();
  });
});

describe('another approver', () => {
  test("a second approver's pause with another reason leaves the pause in force and its reason as they were: only the approver who paused amends it", async () => {
    const second = SANDBOX_USERS.secondApprover as (typeof users)['approver'];
    const h = await startHarness({
      ACRBOT_APPROVERS: `${SANDBOX_USERS.approver.objectId},${SANDBOX_USERS.secondApprover.objectId}`,
    });
    try {
      expect(await ask(h, users.approver, 'pause unexpected grants on prod', 'personal')).toContain(
        'New access paused',
      );
      expect(await ask(h, second, 'pause registry credentials leaked, investigating', 'personal')).toMatch(
        /New access was already paused[^]*Nothing was changed[^]*unexpected grants on prod/,
      );
      const inForce = (await h.app.stores.pause.current())!;
      expect(inForce.reason).toBe('unexpected grants on prod');
      expect(inForce.amended).toBeUndefined();
      expect((await h.app.audit.latest(100)).filter((e) => e.action === 'access.pause.amended')).toHaveLength(0);
    } finally {
      await h.stop();
    }
  });
});

describe('people refused while paused are told when it is lifted', () => {
  test('each is recorded once (two refusals, two instances), told once in the conversation where refused, with the command to ask again', async () => {
    const { first, second, connector, stop } = await twoInstancesOnOneStore('acrbot-pause-reopened-');
    try {
      await ask(first, users.approver, 'pause unexpected grants on prod, investigating', 'personal');
      const refused = 'grant aks-prod contosoabac --for 1d deploy payments-api hotfix';
      expect(await ask(first, users.requester, refused)).toContain('New access is paused since');
      // Refused again, on the other instance and elsewhere: still one record, the first one.
      expect(await ask(second, users.requester, 'grant aks-dev contosoacr deploy to dev', 'personal')).toContain(
        'New access is paused since',
      );
      await first.app.services.background.drain();
      await second.app.services.background.drain();
      const waiting = await first.app.stores.schedule.withIdPrefix('access.reopened:', 10);
      expect(waiting.map((j) => j.id)).toEqual([`access.reopened:${users.requester.objectId.toLowerCase()}`]);

      // Still paused: running the schedule tells nobody.
      expect(await first.app.scheduler.runNow(waiting[0].id)).toBe(false);
      // Cards sent (not updates) saying so: an update of a card already sent tells nobody again.
      const told = () =>
        connector.calls.filter(
          (c) =>
            c.op !== 'update' &&
            (c.activity.attachments?.length ?? 0) > 0 &&
            /New access is open again/.test(cardText(c.activity)),
        );
      expect(told()).toHaveLength(0);

      const inForce = (await first.app.stores.pause.current())!;
      const click = await first.click(users.approver, 'resumeConfirm', {
        since: inForce.since,
        by: inForce.by.objectId,
      });
      expect(clickText(click)).toContain('New access resumed');
      await first.app.services.background.drain();
      // Both instances sweep at once: one tells, the job is gone for the other.
      await Promise.all([first.app.scheduler.runDue(), second.app.scheduler.runDue()]);
      await Promise.all([first.app.scheduler.runDue(), second.app.scheduler.runDue()]);
      expect(told()).toHaveLength(1);
      const message = told()[0];
      expect(message.conversationId.startsWith('19:platform-requests')).toBe(true);
      expect(cardText(message.activity)).toContain(`To ask again, type: "@acrbot ${refused}".`);
      expect(await first.app.stores.schedule.withIdPrefix('access.reopened:', 10)).toEqual([]);
    } finally {
      await stop();
    }
  });
});
