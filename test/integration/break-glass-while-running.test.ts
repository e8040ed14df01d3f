/**
 * Break-glass is never extended, nor renewed by using it again: an on-call member whose
 * break-glass grant still runs on a pair is refused a second --break-glass there, told until when
 * the first runs and the normal request that keeps access past its end, audited once
 * (`breakglass.refused.running`), with no write to Azure and nothing stored. Once its term has
 * passed, break-glass works again. The real app over the sandbox, on a test clock.
 */
import { SANDBOX_USERS } from '../../src/sandbox/fixtures';
import { breakGlassPolicyYaml, writePolicyFile } from '../helpers/break-glass-policy';
import { startHarness } from '../helpers/harness';
import type { TeamsUser } from '../helpers/teams-activities';
import { TempDirs } from '../helpers/temp-dirs';

const tempDirs = new TempDirs();
afterAll(() => tempDirs.removeAll());

const olive = SANDBOX_USERS.oncall as TeamsUser;
const MINUTE = 60_000;
let now = new Date('2026-11-30T10:00:00Z');
const clock = { now: () => now };

test('a second --break-glass on a pair while the first still runs is refused, and works again once it ended', async () => {
  const policyFile = writePolicyFile(tempDirs.make('acrbot-bg-running-'), breakGlassPolicyYaml());
  const h = await startHarness({ ACRBOT_POLICY: policyFile, ACRBOT_EXPIRY_REMINDERS: 'none' }, { clock });
  try {
    const first = await h.settle(
      (await h.requestGrant(olive, 'aks-prod contosoacr --break-glass prod is down, image pull failing')).id,
    );
    expect(first).toMatchObject({ state: 'succeeded', access: { expiresAt: '2026-11-30T14:00:00.000Z' } });

    // Ten minutes before its end: a second break-glass would run until 17:50 with nobody asked.
    now = new Date('2026-11-30T13:50:00Z');
    const writes = () => h.app.sandbox!.arm.requests.filter((r: { method: string }) => r.method !== 'GET').length;
    const writesBefore = writes();
    const lastSeq = (await h.app.audit.latest(1))[0].seq;
    const answer = await h.turnReplies(olive, 'grant aks-prod contosoacr --break-glass still down');
    expect(answer).toContain(
      `Your break-glass grant ${first.id} for aks-prod → contosoacr runs until 2026-11-30 14:00 UTC, and ` +
        'break-glass is not extended or renewed while it runs. Nothing was granted.',
    );
    expect(answer).toContain('("@acrbot grant aks-prod contosoacr REASON…"): it goes to the approvers.');
    const added = (await h.app.audit.latest(50)).filter((e) => e.seq > lastSeq);
    expect(added.map((e) => `${e.action}:${e.outcome}`)).toEqual(['breakglass.refused.running:refused']);
    expect(writes()).toBe(writesBefore);
    const running = await h.app.store.listByRequester(olive.objectId, ['approved', 'executing', 'succeeded']);
    expect(running.map((r) => r.id)).toEqual([first.id]);

    // Its term has passed (its end job not run yet): break-glass is there again, for a new review.
    now = new Date(Date.parse('2026-11-30T14:00:00Z') + MINUTE);
    const again = await h.requestGrant(olive, 'aks-prod contosoacr --break-glass down again');
    expect(again.id).not.toBe(first.id);
    expect(await h.settle(again.id)).toMatchObject({ state: 'succeeded', policy: { breakGlass: true } });
  } finally {
    await h.stop();
  }
});
