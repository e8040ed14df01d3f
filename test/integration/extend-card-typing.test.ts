/**
 * The Extend button's typed fields: a reason over the limit or a duration that is none is refused
 * with the validators' own sentence (as the chat command's), audited as that validation failure,
 * not as a damaged card (`badCardData`), even past the sizes the card's schema once refused.
 * Nothing is requested.
 */
import type { AuditEntry } from '../../src/domain/audit-chain';
import { cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';

describe('the Extend button refuses long typing with the validation sentences', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  test('a 2100-character reason and a 25-character duration, both past the sizes the schema refused', async () => {
    h = await startHarness();
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr --for 1d deploy payments-api');
    await h.click(users.approver, 'approve', { requestId: request.id });
    expect((await h.settle(request.id)).state).toBe('succeeded');
    const extend = async (data: Record<string, string>) => {
      const res = await h.click(users.requester, 'extend', { requestId: request.id, ...data });
      expect(res.status).toBe(200);
      return cardText({ attachments: [{ content: res.body?.value }] });
    };

    const longReason = await extend({ duration: '2d', reason: 'release still rolling out'.padEnd(2100, '.') });
    expect(longReason).toContain('The reason is 2100 characters long; keep it under 500.');
    expect(longReason).not.toMatch(/did not carry a valid request id/);
    const longDuration = await extend({ duration: 'two days more, if you can', reason: 'release still rolling' });
    expect(longDuration).toContain('"two days more, if you can" is not a duration');

    const refusals = (await h.app.audit.latest(200))
      .filter((e: AuditEntry) => e.action === 'validation.failed' && e.actor.objectId === users.requester.objectId)
      .map((e) => e.outcome);
    expect(refusals.sort()).toEqual(['validation.duration', 'validation.reason']);
    const extensions = (await h.app.store.listByRequester(users.requester.objectId, ['pending', 'approved'])).filter(
      (r) => r.extendsRequestId === request.id,
    );
    expect(extensions).toEqual([]);
  });
});
