/**
 * A request with no conversation of its requester's (here: an extension asked for in the tab
 * while acrbot was removed from the team where the original was asked, so the extension's
 * requester copy could not be posted): its news and outcome are not sent anywhere. That is said
 * (a warning naming the request), and its `request.outcome.told` entry says `unposted`, "no
 * conversation of the requester", not that the outcome message was sent.
 */
import { type Harness, startHarness, users } from '../helpers/harness';
import { tabCall, tabToken } from '../helpers/tab-call';
import { TEAM_CHANNEL } from '../helpers/teams-activities';

jest.setTimeout(60_000);

const NOT_TOLD = 'the requester has no conversation acrbot knows of: not told';

test('an extension whose requester has no conversation: its outcome is audited unposted, and a warning names it', async () => {
  const h: Harness = await startHarness({ ACRBOT_REQUESTS_PER_MINUTE: '100' });
  try {
    const original = await h.requestGrant(users.requester, 'aks-prod contosoacr --for 1d deploy payments-api');
    await h.click(users.approver, 'approve', { requestId: original.id });
    expect((await h.settle(original.id)).state).toBe('succeeded');
    await h.app.services.background.drain();

    // acrbot removed from the requester's team afterwards: the extension's requester copy fails.
    h.connector.refusing.add(TEAM_CHANNEL);
    const res = await tabCall(h.app.url, `/api/tab/requests/${original.id}/extend`, await tabToken(h, 'requester'), {
      duration: '7d',
      reason: 'release slipped',
    });
    await h.app.services.background.drain();
    const extensionId = String(
      JSON.stringify(res.body)
        .match(/R-[0-9A-Z]{8}/g)
        ?.find((id) => id !== original.id),
    );
    expect((await h.app.store.listCardCopies(extensionId)).map((c) => c.role)).not.toContain('requester');

    const before = h.logs.entries().length;
    await h.click(users.approver, 'approve', { requestId: extensionId });
    expect((await h.settle(extensionId)).state).toBe('succeeded');
    await h.app.services.background.drain();

    const warnings = h.logs
      .entries()
      .slice(before)
      .filter((e) => e.msg === NOT_TOLD);
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings.every((e) => e.requestId === extensionId && e.level === 40)).toBe(true);
    const told = (await h.app.audit.forRequest(extensionId)).filter((e) => e.action === 'request.outcome.told');
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject({ outcome: 'unposted' });
    expect(told[0]!.detail).toContain('no conversation of the requester');
    expect(told[0]!.detail).not.toContain('outcome message sent');
  } finally {
    await h.stop();
  }
});
