/**
 * The tab's Extend under the per-user limits (G16) is audited as chat's is (G11 "every
 * refusal"): answered 429, the first refusal per user, limit and window written to the audit
 * trail (`request.refused.rate`, detail `extend R-…`), the rest only logged, in the same window
 * as chat's refusals, so a script held at the limit cannot grow the trail from either door.
 */
import type { AuditEntry } from '../../src/domain/audit-chain';
import { SANDBOX_TAB_APP_ID } from '../../src/tab/mount-tab';
import { tabCall as call } from '../helpers/tab-call';
import { type Harness, startHarness, users } from '../helpers/harness';
import { FakeClock } from '../unit/support/fake-clock';

const AUDIENCE = `api://localhost/${SANDBOX_TAB_APP_ID}`;

/** The requester's `request.refused.rate` entries. */
async function rateRefusals(h: Harness): Promise<AuditEntry[]> {
  return (await h.app.audit.latest(200)).filter(
    (e) => e.action === 'request.refused.rate' && e.actor.objectId === users.requester.objectId,
  );
}

describe("the tab's Extend refused by the per-user limits", () => {
  let h: Harness;
  afterAll(async () => {
    await h?.stop();
  });

  test('answers 429 and audits the first refusal in the window only, shared with chat', async () => {
    // Held still: the refusals fall in one window of the limit whatever the wall clock does.
    const clock = new FakeClock('2026-11-30T12:00:05.000Z');
    h = await startHarness({ ACRBOT_REQUESTS_PER_MINUTE: '1' }, { clock });
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr --for 1d deploy payments-api');
    await h.click(users.approver, 'approve', { requestId: request.id });
    expect((await h.settle(request.id)).state).toBe('succeeded');
    // The token's times follow the app's clock, which the tab checks them against.
    const now = Math.floor(clock.now().getTime() / 1000);
    const token = await h.app.sandbox!.identity.issue({
      user: 'requester',
      audience: AUDIENCE,
      claims: { iat: now, nbf: now, exp: now + 3600 },
    });
    const extend = () =>
      call(h.app.url, `/api/tab/requests/${request.id}/extend`, token, { duration: '7d', reason: 'release slipped' });

    const first = await extend();
    expect(first.status).toBe(429);
    expect(first.body).toMatchObject({ error: 'limits.rate' });
    const audited = await rateRefusals(h);
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({ outcome: 'refused', detail: `extend ${request.id}` });

    const second = await extend();
    expect(second.status).toBe(429);
    expect(await rateRefusals(h)).toHaveLength(1);
    const logged = h.logs.entries().filter((l) => l.msg === 'refused by the per-user limits');
    expect(logged.map((l) => l.audited)).toEqual([true, false]);
    // Chat's refusal in the same window is the same limit's: logged, not audited again.
    expect(await h.ask(users.requester, `extend ${request.id} --for 7d release slipped`)).toMatch(
      /more than 1 request in the last minute/,
    );
    expect(await rateRefusals(h)).toHaveLength(1);
  });
});
