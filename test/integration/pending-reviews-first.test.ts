/**
 * Chat's `pending` lists the break-glass reviews owed ahead of the requests that wait for a
 * decision, even one whose time to decide runs out first: a grant already running unreviewed is
 * the approver's first business (its count line says "break-glass grants to review first").
 */
import { SANDBOX_USERS } from '../../src/sandbox/fixtures';
import { breakGlassPolicyYaml, writePolicyFile } from '../helpers/break-glass-policy';
import { cardText } from '../helpers/capturing-connector';
import { startHarness, users } from '../helpers/harness';
import type { TeamsUser } from '../helpers/teams-activities';
import { TempDirs } from '../helpers/temp-dirs';

test('a break-glass review owed is listed ahead of a pending request that must be decided sooner', async () => {
  const tempDirs = new TempDirs();
  const olive = SANDBOX_USERS.oncall as TeamsUser;
  const h = await startHarness({
    ACRBOT_POLICY: writePolicyFile(tempDirs.make('acrbot-reviews-first-'), breakGlassPolicyYaml()),
  });
  try {
    const bg = await h.requestGrant(olive, 'aks-prod contosoacr --break-glass prod is down, image pull failing');
    expect((await h.settle(bg.id)).state).toBe('succeeded');
    const waiting = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    // To be decided within the half hour: before any review's deadline.
    await h.app.store.update({
      ...waiting,
      version: waiting.version + 1,
      expiresAt: new Date(Date.now() + 30 * 60_000).toISOString(),
    });

    const before = h.connector.calls.length;
    expect(await h.turnReplies(users.approver, 'pending', 'personal')).toMatch(
      /^2 requests waiting for approval \(break-glass grants to review first\)/,
    );
    const cardOf = (id: string) =>
      h.connector.waitFor(
        (c) => h.connector.calls.indexOf(c) >= before && c.op !== 'update' && cardText(c.activity).includes(id),
        5000,
        `the approvers' copy of ${id}`,
      );
    const [review, request] = [await cardOf(bg.id), await cardOf(waiting.id)];
    expect(h.connector.calls.indexOf(review)).toBeLessThan(h.connector.calls.indexOf(request));
  } finally {
    await h.stop();
    tempDirs.removeAll();
  }
});
