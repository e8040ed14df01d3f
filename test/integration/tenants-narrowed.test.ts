/**
 * ACRBOT_ALLOWED_TENANTS narrowed between two starts on one SQLite store (G2): a request of the
 * tenant that was removed (filed there by an earlier release) stays in the store, but nobody
 * decides it any more. An approver of the tenant still served is refused Approve ("no longer
 * serves", audited `approval.refused.tenant`) and Reject alike; the request stays pending,
 * nothing runs, and its cards are not updated. The start's count of such requests (settings-left-behind.ts notServedCounts)
 * names it.
 */
import { join } from 'node:path';
import { listsToCount, notServedCounts } from '../../src/flows/settings-left-behind';
import { SANDBOX_TENANT_ID } from '../../src/sandbox/fixtures';
import { CapturingConnector, cardText } from '../helpers/capturing-connector';
import { startHarness, users } from '../helpers/harness';
import { channelMessage, postActivity } from '../helpers/teams-activities';
import { TempDirs } from '../helpers/temp-dirs';

jest.setTimeout(60_000);

const REMOVED = '11111111-2222-4333-8444-555555555555';
const tempDirs = new TempDirs();
afterAll(() => tempDirs.removeAll());

test("a removed tenant's pending request can no longer be approved or rejected", async () => {
  const storage = `sqlite:${join(tempDirs.make('acrbot-tenants-narrowed-'), 'acrbot.db')}`;
  const connector = new CapturingConnector();
  await connector.start();
  try {
    const both = await startHarness(
      { ACRBOT_STORAGE: storage, ACRBOT_ALLOWED_TENANTS: `${SANDBOX_TENANT_ID},${REMOVED}` },
      {},
      { connector },
    );
    let id: string;
    try {
      const before = connector.calls.length;
      // Made in the sandbox tenant and filed under the other, as a release that took requests of
      // another allowed tenant filed them: they are refused when made now (own-tenant.ts).
      const asked = channelMessage(users.requester, 'grant aks-prod contosoacr deploy payments-api for the release', {
        serviceUrl: connector.url,
      });
      expect((await postActivity(both.app.url, asked)).status).toBe(200);
      const plan = await connector.waitFor(
        (c) => connector.calls.indexOf(c) >= before && /R-[2-9A-HJKMNP-TV-Z]{8}/.test(cardText(c.activity)),
        10_000,
        'the plan card',
      );
      id = /R-[2-9A-HJKMNP-TV-Z]{8}/.exec(cardText(plan.activity))![0];
      const made = (await both.app.store.get(id))!;
      await both.app.store.update({ ...made, version: made.version + 1, tenantId: REMOVED });
      expect(await both.app.store.get(id)).toMatchObject({ state: 'pending', tenantId: REMOVED });
    } finally {
      await both.stop();
    }

    const one = await startHarness(
      { ACRBOT_STORAGE: storage, ACRBOT_ALLOWED_TENANTS: SANDBOX_TENANT_ID },
      {},
      { connector },
    );
    try {
      expect(notServedCounts(await listsToCount(one.app.store, { tenants: true }), [SANDBOX_TENANT_ID])).toEqual({
        pending: 1,
        active: 0,
        boundReached: false,
      });
      // The start said so, once, for the operator.
      expect(
        one.logs
          .entries()
          .filter((e) => e.msg === 'requests of tenants no longer served (ACRBOT_ALLOWED_TENANTS) remain'),
      ).toEqual([expect.objectContaining({ level: 40, pending: 1, active: 0 })]);
      const mark = connector.calls.length;
      const approve = await one.click(users.approver, 'approve', { requestId: id });
      const shown = cardText({ attachments: [{ content: approve.body?.value }] });
      expect(shown).toContain(`Request ${id} was made in an organisation (tenant) this acrbot no longer serves`);
      expect(shown).not.toContain('deploy payments-api');
      await one.click(users.approver, 'reject', { requestId: id, comment: 'that organisation left us' });
      await one.app.services.executor.drain();
      const after = (await one.app.store.get(id))!;
      expect(after.state).toBe('pending');
      expect(after.approvals ?? []).toEqual([]);
      const refused = (await one.app.audit.forRequest(id)).filter((e) => e.action.startsWith('approval.refused'));
      expect(refused).toEqual([
        expect.objectContaining({
          action: 'approval.refused.tenant',
          tenantId: SANDBOX_TENANT_ID,
          detail: `the request's tenant ${REMOVED} is no longer served by this deployment (ACRBOT_ALLOWED_TENANTS)`,
        }),
        expect.objectContaining({ action: 'approval.refused.tenant' }),
      ]);
      // Nothing moved the request, so none of its cards changed to approved or executing.
      const cards = connector.calls.slice(mark).map((c) => cardText(c.activity));
      expect(cards.filter((t) => /Approved|Executing|Granted|Rejected by/.test(t))).toEqual([]);
    } finally {
      await one.stop();
    }
  } finally {
    await connector.stop();
  }
});
