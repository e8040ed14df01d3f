/**
 * A revoke click carrying several request ids (a pair's or a registry's card, or a hand-made
 * invoke) reads and schedules them several at a time (lifecycle-handler.ts, startRevokes), yet
 * answers as one at a time did: an extension's id and its original's, which revoke the same
 * access, schedule one revoke and refuse nothing (not a second one refused as already running);
 * the requests started and the refusals are said in the card's order, whichever finished first.
 */
import { UserFacingError } from '../../src/domain/errors';
import { cardText } from '../helpers/capturing-connector';
import { users } from '../helpers/harness';
import { extendApproved, grant, grantedSecretOnAksDev, h, start, useLifecycleHooks } from '../helpers/lifecycle';

const textOf = (card: any) => cardText({ attachments: [{ content: card }] });

/** Clicks Revoke as the approver with `ids` (no version: taken as it comes); the answer's text. */
async function clickRevoke(ids: string[]): Promise<string> {
  return textOf((await h.click(users.approver, 'revokeConfirm', { requestId: ids.join(',') })).body?.value);
}

describe('a revoke click of several ids', () => {
  useLifecycleHooks();

  test('an extension’s id and its original’s: one revoke scheduled, nothing refused', async () => {
    const { id } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --service-account default --for 2m pull for payments-api',
    );
    const extensionId = await extendApproved(id, '--for 1h rollout still running');
    const flow = h.app.services.lifecycle.flow;
    const schedule = jest.spyOn(flow, 'scheduleRevoke');

    const answer = await clickRevoke([extensionId, id]);
    expect(answer).toContain(`Revoking ${id}`);
    expect(answer).not.toContain(extensionId);
    expect(answer).not.toMatch(/being revoked|could not be started|Only approvers/);
    expect(schedule.mock.calls.map(([target]) => target.id)).toEqual([id]);
    await h.app.services.background.drain();
    expect((await h.app.store.get(id))!.state).toBe('revoked');
    const actions = (await h.app.audit.forRequest(id)).map((e) => e.action);
    expect(actions.filter((a) => a === 'access.revoke.requested')).toHaveLength(1);
    expect(actions).not.toContain('revoke.refused');
  });

  test('refusals are said in the card’s order, a late one (at scheduling) before an early one (not found)', async () => {
    await start();
    const prod = await grant(users.requester, 'aks-prod contosoacr --for 30d deploy payments-api');
    const legacy = await grant(users.requester, 'aks-legacy contosoacr --for 30d nightly batch pulls');
    const unknown = 'R-22222222';
    const flow = h.app.services.lifecycle.flow;
    const schedule = flow.scheduleRevoke.bind(flow);
    // prod passes every check and is refused only when its revoke is stored, after unknown's "not found".
    jest.spyOn(flow, 'scheduleRevoke').mockImplementation(async (target, ...rest) => {
      if (target.id === prod.id) throw new UserFacingError('revoke.running', 'PROD REFUSED AT SCHEDULING');
      return schedule(target, ...rest);
    });

    const answer = await clickRevoke([prod.id, unknown, legacy.id]);
    expect(answer).toContain(`Revoking ${legacy.id}`);
    const prodAt = answer.indexOf(`${prod.id}: PROD REFUSED AT SCHEDULING`);
    const unknownAt = answer.indexOf(`${unknown}:`);
    expect(prodAt).toBeGreaterThan(-1);
    expect(unknownAt).toBeGreaterThan(prodAt);
  });

  test('200 ids the store fails alike: each refused in the answer, one error line for the click', async () => {
    await start();
    const ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXYZ';
    const ids = Array.from({ length: 200 }, (_, i) => `R-REV${ALPHABET[Math.floor(i / 30)]}${ALPHABET[i % 30]}XXX`);
    jest.spyOn(h.app.services.requests, 'get').mockRejectedValue(new Error('store unreachable'));
    const error = jest.spyOn(h.app.services.log, 'error');

    const answer = await clickRevoke(ids);
    // What the user sees is unchanged: every id named, with the reference.
    expect(answer).toContain('Nothing was revoked');
    for (const id of ids) expect(answer).toContain(`${id}: could not be started because of an unexpected error`);
    const failed = error.mock.calls.filter(([, msg]) => msg === 'revoke click failed');
    expect(failed).toEqual([
      [
        expect.objectContaining({ count: 200, err: expect.objectContaining({ message: 'store unreachable' }) }),
        'revoke click failed',
      ],
    ]);
    expect((failed[0]![0] as { requestIds: string[] }).requestIds).toHaveLength(10);
  });

  test('revocations of one click that fail to run at once: one error line for the click', async () => {
    await start();
    const prod = await grant(users.requester, 'aks-prod contosoacr --for 30d deploy payments-api');
    const legacy = await grant(users.requester, 'aks-legacy contosoacr --for 30d nightly batch pulls');
    const flow = h.app.services.lifecycle.flow;
    const schedule = flow.scheduleRevoke.bind(flow);
    // Stored as usual; running each at once fails (the store, around its job).
    jest.spyOn(flow, 'scheduleRevoke').mockImplementation(async (...args) => {
      await schedule(...args);
      return () => Promise.reject(new Error('store unreachable'));
    });
    const error = jest.spyOn(h.app.services.log, 'error');

    const answer = await clickRevoke([prod.id, legacy.id]);
    expect(answer).toContain(`Revoking ${prod.id}, ${legacy.id}`);
    await h.app.services.background.drain();
    expect(error.mock.calls.filter(([, msg]) => msg === 'revocation did not run at once; its job retries it')).toEqual([
      [
        expect.objectContaining({
          count: 2,
          requestIds: [prod.id, legacy.id],
          err: expect.objectContaining({ message: 'store unreachable' }),
        }),
        'revocation did not run at once; its job retries it',
      ],
    ]);
  });
});
