/**
 * Break-glass under a policy with no `breakGlass.channel` and without ACRBOT_AUDIT_CHANNEL: the
 * loud card and the daily report of the owed review go where its approvers are asked (the
 * approvals channel), and the report is audited `reported` only because it was posted there.
 * Sandbox app on the capturing connector; the review is made overdue by moving its clock.
 */
import { SANDBOX_APPROVAL_CHANNEL_ID, SANDBOX_USERS } from '../../src/sandbox/fixtures';
import { breakGlassPolicyYaml, writePolicyFile } from '../helpers/break-glass-policy';
import { cardText } from '../helpers/capturing-connector';
import { startHarness } from '../helpers/harness';
import { TempDirs } from '../helpers/temp-dirs';
import type { TeamsUser } from '../helpers/teams-activities';

const tempDirs = new TempDirs();
afterAll(() => tempDirs.removeAll());

const olive = SANDBOX_USERS.oncall as TeamsUser;

test('no break-glass or audit channel: the alert and the daily report go to the approvals channel', async () => {
  const dir = tempDirs.make('acrbot-bg-no-channel-');
  let offset = 0;
  const clock = { now: () => new Date(Date.now() + offset) };
  const h = await startHarness({ ACRBOT_POLICY: writePolicyFile(dir, breakGlassPolicyYaml()) }, { clock });
  try {
    expect(h.app.config.auditChannelId).toBeUndefined();
    const request = await h.requestGrant(olive, 'aks-prod contosoacr --break-glass prod is down, image pull failing');
    expect((await h.settle(request.id)).state).toBe('succeeded');
    const inApprovals = (title: RegExp) =>
      h.connector.calls.filter(
        (c) => c.conversationId.split(';')[0] === SANDBOX_APPROVAL_CHANNEL_ID && title.test(cardText(c.activity)),
      );
    await h.connector.waitFor(
      (c) => inApprovals(/BREAK-GLASS used: /).includes(c),
      10_000,
      'the break-glass alert in the approvals channel',
    );
    expect(inApprovals(/BREAK-GLASS used: /)).toHaveLength(1);
    // The approvers' copy (the review) is posted before the alert: its conversation is the
    // alert's last fallback, so it must exist when the alert looks for it.
    const approvalCard = h.connector.calls.findIndex(
      (c) =>
        c.op === 'send' &&
        c.conversationId.split(';')[0] === SANDBOX_APPROVAL_CHANNEL_ID &&
        cardText(c.activity).includes(request.id) &&
        !/BREAK-GLASS used: /.test(cardText(c.activity)),
    );
    expect(approvalCard).toBeGreaterThanOrEqual(0);
    expect(approvalCard).toBeLessThan(h.connector.calls.indexOf(inApprovals(/BREAK-GLASS used: /)[0]!));

    offset = 25 * 3_600_000;
    expect(await h.app.scheduler.runNow(`breakglass.review:${request.id}`)).toBe(true);
    expect(inApprovals(/BREAK-GLASS still unreviewed/)).toHaveLength(1);
    const report = (await h.app.audit.forRequest(request.id)).filter((e) => e.action === 'breakglass.unreviewed');
    expect(report.map((e) => e.outcome)).toEqual(['reported']);
  } finally {
    await h.stop();
  }
});
