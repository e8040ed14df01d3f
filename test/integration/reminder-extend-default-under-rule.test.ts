/**
 * A reminder's Extend is pre-filled with a term within the request's rule: the deployment's
 * default (30 days here) cut to the rule's maxDuration (8h), the smallest term allowed that moves
 * the end (extension-terms.ts). Pre-filled with the default alone, clicking Extend as offered was
 * refused ("30d is longer than the maximum…") and audited as policy.refused.duration.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SANDBOX_USERS } from '../../src/sandbox/fixtures';
import { writePolicyFile } from '../helpers/break-glass-policy';
import { cardText } from '../helpers/capturing-connector';
import { inputValue } from '../helpers/card-input-value';
import { users } from '../helpers/harness';
import { useLifecycleHooks, h, start, grant, runDueAfter, reminderSent, MINUTE } from '../helpers/lifecycle';

const POLICY = `version: 1
rules:
  - id: prod-short
    match: { cluster: "aks-prod*" }
    approvers: { users: ["${SANDBOX_USERS.approver.objectId}"] }
    maxDuration: 8h
`;

describe("a reminder's Extend under a rule shorter than the default term", () => {
  useLifecycleHooks();
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'acrbot-reminder-default-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test("offers the rule's maximum, and Extend as offered files an extension", async () => {
    await start({
      ACRBOT_POLICY: writePolicyFile(dir, POLICY),
      ACRBOT_EXPIRY_REMINDERS: '1h',
      ACRBOT_DEFAULT_ACCESS_DURATION: '30d',
    });
    const granted = await grant(users.requester, 'aks-prod contosoacr --for 4h deploy payments-api');
    await runDueAfter(3 * 60 * MINUTE + MINUTE);
    const reminder = await reminderSent('59 minutes');
    const offered = inputValue(reminder.activity, 'duration');
    expect(offered).toBe('8h');

    const res = await h.click(users.requester, 'extend', {
      requestId: granted.id,
      duration: offered,
      reason: 'release still running',
    });
    expect(cardText({ attachments: [{ content: res.body?.value }] })).not.toMatch(/Could not extend|longer than/);
    await h.app.services.background.drain();
    const extension = (await h.app.store.listByState(['pending'], 100)).find((r) => r.extendsRequestId === granted.id);
    expect(extension?.access?.durationMs).toBe(8 * 60 * MINUTE);
    expect((await h.app.audit.latest(5)).map((e) => e.action)).not.toContain('policy.refused.duration');
  });
});
