/**
 * G17: a separate, approved request that replaces another active request's secret (its plan
 * recorded the replacement) retires that request's credential, so that request's access ends at
 * once, as a revoke ends it: revoked, audited with why, its requester told, its end job and
 * reminders gone. Its revocation deletes nothing the replacing request holds (the secret, the
 * service-account entry), and the replacing request's own end removes those.
 */
import { cardText } from '../helpers/capturing-connector';
import { users } from '../helpers/harness';
import {
  advance,
  extendApproved,
  grantedSecretOnAksDev,
  h,
  MINUTE,
  runDueAfter,
  scheduleOf,
  tokens,
  useLifecycleHooks,
} from '../helpers/lifecycle';

describe('a secret replaced by another approved request', () => {
  useLifecycleHooks();

  test('the replaced request ends at once as revoked; the secret and entry stay until the replacing one ends', async () => {
    const { id: first, k8s } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --service-account default --for 1h pull for payments-api',
    );
    const firstTokens = tokens();
    advance(MINUTE);
    const later = await h.requestSecret(
      users.requester,
      'aks-dev contosoacr --namespace payments --service-account default --for 2m pull for payments-api',
    );
    expect((await h.app.store.get(later.id))!.plan).toMatchObject({ replaces: { requestId: first } });
    await h.click(users.approver, 'approve', { requestId: later.id });
    expect((await h.settle(later.id)).state).toBe('succeeded');
    await h.app.services.background.drain();

    const replaced = (await h.app.store.get(first))!;
    expect(replaced.state).toBe('revoked');
    const revoked = (await h.app.audit.forRequest(first)).find((e) => e.action === 'access.revoked');
    expect(revoked).toMatchObject({ outcome: 'revoked' });
    expect(revoked?.detail).toMatch(new RegExp(`^replaced by ${later.id}, approved by .+: it wrote a new credential`));
    // Nothing the replacing request holds was deleted: its secret, its entry, its token.
    const kept = (await h.app.audit.forRequest(first)).find((e) => e.action === 'access.revoke.secret');
    expect(kept).toMatchObject({ outcome: 'kept' });
    expect(k8s.getObject('secrets', 'payments', 'acr-auth')?.metadata.labels?.['acrbot.io/request-id']).toBe(later.id);
    const account = k8s.getObject('serviceaccounts', 'payments', 'default') as unknown as {
      imagePullSecrets?: { name: string }[];
    };
    expect(account.imagePullSecrets).toEqual([{ name: 'acr-auth' }]);
    expect(tokens()).toHaveLength(1);
    expect(tokens()).not.toContain(firstTokens[0]);
    // No end job or reminder of the replaced request is left to fire.
    expect((await scheduleOf(first)).filter((id) => id.startsWith('access.'))).toEqual([]);
    // Its requester was told, as at any revoke.
    const told = h.connector.calls.filter(
      (c) => c.op !== 'update' && cardText(c.activity).includes(`Revoked: ${first}`),
    );
    expect(told).toHaveLength(1);
    expect(cardText(told[0]!.activity)).toContain(`replaced by ${later.id}`);

    // The replacing request's end removes the secret, the entry and its token.
    await runDueAfter(3 * MINUTE);
    expect((await h.app.store.get(later.id))!.state).toBe('revoked');
    expect(k8s.getObject('secrets', 'payments', 'acr-auth')).toBeUndefined();
    expect(
      (k8s.getObject('serviceaccounts', 'payments', 'default') as unknown as { imagePullSecrets?: unknown[] })
        .imagePullSecrets ?? [],
    ).toEqual([]);
    expect(tokens()).toEqual([]);
    // Told once only (a later change of the replacing request does not end it again).
    expect(
      h.connector.calls.filter((c) => c.op !== 'update' && cardText(c.activity).includes(`Revoked: ${first}`)),
    ).toHaveLength(1);
  });

  test('written in the same millisecond: the replaced request ends, and the replacing one deletes the secret at its end', async () => {
    const { id: first, k8s } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --for 1h pull for payments-api',
    );
    // No time passes: both writes are recorded at the same instant.
    const later = await h.requestSecret(
      users.requester,
      'aks-dev contosoacr --namespace payments --for 2m pull for payments-api',
    );
    await h.click(users.approver, 'approve', { requestId: later.id });
    expect((await h.settle(later.id)).state).toBe('succeeded');
    await h.app.services.background.drain();
    expect((await h.app.store.get(first))!.state).toBe('revoked');
    await runDueAfter(3 * MINUTE);
    expect((await h.app.store.get(later.id))!.state).toBe('revoked');
    expect(k8s.getObject('secrets', 'payments', 'acr-auth')).toBeUndefined();
    expect(tokens()).toEqual([]);
  });

  test('a secret an extension wrote last: the whole access it extends ends, extension included', async () => {
    const { id: first } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --for 1h pull for payments-api',
    );
    advance(MINUTE);
    const ext = await extendApproved(first, '--for 2h still needed for payments');
    advance(MINUTE);
    const later = await h.requestSecret(
      users.requester,
      'aks-dev contosoacr --namespace payments --for 2h pull for payments-api',
    );
    expect((await h.app.store.get(later.id))!.plan).toMatchObject({ replaces: { requestId: ext } });
    await h.click(users.approver, 'approve', { requestId: later.id });
    expect((await h.settle(later.id)).state).toBe('succeeded');
    await h.app.services.background.drain();
    expect((await h.app.store.get(first))!.state).toBe('revoked');
    expect((await h.app.store.get(ext))!.state).toBe('revoked');
    expect((await h.app.store.get(later.id))!.state).toBe('succeeded');
    expect(tokens()).toHaveLength(1);
  });
});
