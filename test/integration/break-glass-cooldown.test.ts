/**
 * The cooldown after a rejected break-glass review through Teams, across instances: two bot
 * instances on one SQLite store and one emulated Azure. An on-call member's break-glass grant,
 * run on the first instance, is rejected by an approver on the second; the member's next
 * --break-glass on the first, on another pair, is refused with the rejected request, until when,
 * and the way to ask normally, audited once, with no write to Azure and nothing stored. A normal
 * request then goes to the approvers.
 */
import { SANDBOX_USERS } from '../../src/sandbox/fixtures';
import { breakGlassPolicyYaml, writePolicyFile } from '../helpers/break-glass-policy';
import { cardText } from '../helpers/capturing-connector';
import { users } from '../helpers/harness';
import type { TeamsUser } from '../helpers/teams-activities';
import { TempDirs } from '../helpers/temp-dirs';
import { twoInstancesOnOneStore } from '../helpers/two-instances';

const tempDirs = new TempDirs();
afterAll(() => tempDirs.removeAll());

const olive = SANDBOX_USERS.oncall as TeamsUser;

test("a rejected break-glass review on one instance refuses the member's next break-glass on the other, on any pair", async () => {
  const policyFile = writePolicyFile(tempDirs.make('acrbot-bg-cooldown-'), breakGlassPolicyYaml());
  const { first, second, sandbox, stop } = await twoInstancesOnOneStore('acrbot-bg-cooldown-store-', {
    ACRBOT_POLICY: policyFile,
  });
  try {
    const bg = await first.requestGrant(olive, 'aks-prod contosoacr --break-glass prod is down, image pull failing');
    expect((await first.settle(bg.id)).state).toBe('succeeded');
    const rejected = await second.click(users.approver, 'reject', { requestId: bg.id, comment: 'not an emergency' });
    expect(cardText({ attachments: [{ content: rejected.body?.value }] })).toMatch(/rejected and revoked/);
    const review = (await second.app.store.get(bg.id))!.policy!.review!;
    expect(review).toMatchObject({ outcome: 'rejected' });

    const writes = () => sandbox.arm.requests.filter((r: { method: string }) => r.method !== 'GET').length;
    const writesBefore = writes();
    const lastSeq = (await first.app.audit.latest(1))[0].seq;
    const answer = await first.turnReplies(olive, 'grant aks-dev contosoacr --break-glass dev is down too');

    const until = new Date(Date.parse(review.at!) + 24 * 3_600_000).toISOString();
    const utc = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
    // A time to wait until is shown rounded up to the minute: tried at the minute shown, it runs.
    const utcUp = (iso: string) => utc(new Date(Math.ceil(Date.parse(iso) / 60_000) * 60_000).toISOString());
    expect(answer).toContain(
      `Break-glass is not available to you until ${utcUp(until)}: the review of your break-glass request ${bg.id} ` +
        `was rejected by Alex Approver at ${utc(review.at!)}`,
    );
    expect(answer).toContain('("@acrbot grant aks-dev contosoacr REASON…"): it goes to the approvers as usual.');
    const added = (await first.app.audit.latest(50)).filter((e) => e.seq > lastSeq);
    expect(added.map((e) => e.action)).toEqual(['breakglass.refused.cooldown']);
    expect(writes()).toBe(writesBefore);
    const olivesRequests = await first.app.store.listByRequester(olive.objectId, [
      'approved',
      'executing',
      'succeeded',
    ]);
    expect(olivesRequests).toEqual([]);

    // The normal request the answer names goes to the approvers.
    const normal = await first.requestGrant(olive, 'aks-dev contosoacr dev is down too');
    expect(normal).toMatchObject({ state: 'pending' });
    expect(normal.policy?.breakGlass).toBeFalsy();
  } finally {
    await stop();
  }
});
