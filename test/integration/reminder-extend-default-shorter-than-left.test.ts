/**
 * A reminder's Extend is pre-filled with a term acrbot would take: an extension's term counts
 * from when it is granted, so the deployment's default (8h) a day before the end would end before
 * it and be refused (`extend.refused.notLater`). It offers the smallest of the default and the
 * tab's choices (1d, 7d, 30d, 90d) that is allowed and ends well after the current end, and no
 * Extend when none does; `extend R-…` without --for is refused with a term to give.
 */
import { SANDBOX_USERS } from '../../src/sandbox/fixtures';
import { writePolicyFile } from '../helpers/break-glass-policy';
import { cardText } from '../helpers/capturing-connector';
import { inputValue } from '../helpers/card-input-value';
import { users } from '../helpers/harness';
import { TempDirs } from '../helpers/temp-dirs';
import { useLifecycleHooks, h, start, grant, runDueAfter, reminderSent, MINUTE, DAY } from '../helpers/lifecycle';

const HOUR = 60 * MINUTE;

describe("a reminder's Extend when the default term is shorter than the time left", () => {
  useLifecycleHooks();
  // Declared after the lifecycle hooks, so it runs after they stop the bot reading the policy file.
  const tempDirs = new TempDirs();
  afterEach(() => tempDirs.removeAll());

  test('offers the first term that ends later (7d), and Extend as offered files an extension', async () => {
    await start({ ACRBOT_EXPIRY_REMINDERS: '1d', ACRBOT_DEFAULT_ACCESS_DURATION: '8h' });
    const granted = await grant(users.requester, 'aks-prod contosoacr --for 3d deploy payments-api');
    await runDueAfter(2 * DAY + MINUTE);
    const reminder = await reminderSent('23 hours');
    const offered = inputValue(reminder.activity, 'duration');
    expect(offered).toBe('7d');

    const res = await h.click(users.requester, 'extend', {
      requestId: granted.id,
      duration: offered,
      reason: 'release still running',
    });
    expect(cardText({ attachments: [{ content: res.body?.value }] })).not.toMatch(/Could not extend|change nothing/);
    await h.app.services.background.drain();
    const extension = (await h.app.store.listByState(['pending'], 100)).find((r) => r.extendsRequestId === granted.id);
    expect(extension?.access?.durationMs).toBe(7 * DAY);
    expect((await h.app.audit.latest(5)).map((e) => e.action)).not.toContain('extend.refused.notLater');
  });

  test('`extend R-…` without --for is refused in words that say the default was used and which term to give', async () => {
    await start({ ACRBOT_EXPIRY_REMINDERS: 'none', ACRBOT_DEFAULT_ACCESS_DURATION: '8h' });
    const granted = await grant(users.requester, 'aks-prod contosoacr --for 3d deploy payments-api');
    await runDueAfter(2 * DAY + MINUTE);
    h.connector.clear();
    await h.say(users.requester, `extend ${granted.id} release still running`);
    const refusal = await h.connector.waitFor(
      (c) => /already runs until/.test(cardText(c.activity)),
      undefined,
      'refusal',
    );
    expect(cardText(refusal.activity)).toContain(
      'so without --for the default term, 8 hours, would end before that and change nothing; ask for a term that ends later, e.g. --for 7d.',
    );
  });

  test('offers no Extend when no term the rule allows would end much later yet', async () => {
    await start({
      ACRBOT_POLICY: writePolicyFile(
        tempDirs.make('acrbot-reminder-left-'),
        `version: 1
rules:
  - id: prod-short
    match: { cluster: "aks-prod*" }
    approvers: { users: ["${SANDBOX_USERS.approver.objectId}"] }
    maxDuration: 12h
`,
      ),
      ACRBOT_EXPIRY_REMINDERS: '8h',
      ACRBOT_DEFAULT_ACCESS_DURATION: '8h',
    });
    const granted = await grant(users.requester, 'aks-prod contosoacr --for 12h deploy payments-api');
    await runDueAfter(4 * HOUR + MINUTE);
    const reminder = await reminderSent('7 hours');
    const text = cardText(reminder.activity);
    expect(inputValue(reminder.activity, 'duration')).toBeUndefined();
    expect(JSON.stringify(reminder.activity)).not.toContain('"verb":"extend"');
    expect(text).toContain('No extension term allowed here would yet end much later than your access does now');
    expect(text).toContain(`"@acrbot extend ${granted.id} --for TERM REASON…"`);
  });
});
