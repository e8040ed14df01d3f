/**
 * A secret's revocation frozen past its leases (a GC pause, a stopped VM) after its pull secret's
 * DELETE and before the service account's PATCH, while another instance took its job over,
 * finished it, and the requester was given the same secret again: the `imagePullSecrets` entry
 * goes by the secret's name, which the newer secret's entry has too, so the woken run's PATCH
 * would take it out (pods of that account then pull with no secret, the requester told
 * "granted"). It checks its leases right before the PATCH and stops.
 */
import {
  actions,
  advance,
  grantedSecretOnAksDev,
  h,
  MINUTE,
  secretApproved,
  useLifecycleHooks,
} from '../helpers/lifecycle';
import { users } from '../helpers/harness';

const ARGS = 'aks-dev contosoacr --namespace payments --service-account default --for 2m pull for payments-api';

describe("a secret's revocation frozen past its leases", () => {
  useLifecycleHooks();

  test("between its secret's DELETE and the service account's PATCH, while the same secret was given again elsewhere: the newer entry stays", async () => {
    const { id: first, k8s } = await grantedSecretOnAksDev(ARGS);
    const entries = () =>
      (
        (k8s.getObject('serviceaccounts', 'payments', 'default') as { imagePullSecrets?: { name: string }[] })
          .imagePullSecrets ?? []
      ).map((e) => e.name);
    expect(entries()).toContain('acr-auth');
    advance(3 * MINUTE);

    // The run freezes in its read of the service account, the last step before the PATCH.
    const frozen = k8s.faults.hold({ verb: 'get', resource: 'serviceaccounts', name: 'default' });
    const zombie = h.app.scheduler.runNow(`access.expire:${first}`);
    try {
      await frozen.arrived;
      expect(k8s.getObject('secrets', 'payments', 'acr-auth')).toBeUndefined();
      // Frozen for three minutes: its access and job leases lapse.
      advance(3 * MINUTE);
      // Another instance's sweep takes the job over and finishes the revocation.
      expect(await h.app.scheduler.runNow(`access.expire:${first}`)).toBe(true);
      expect((await h.app.store.get(first))!.state).toBe('revoked');
      expect(entries()).not.toContain('acr-auth');
      // The requester asks again and is given the same secret, linked to the same account.
      const newer = await secretApproved(users.requester, ARGS);
      expect(entries()).toContain('acr-auth');
      // The frozen run wakes: it lost its leases, and stops before its PATCH.
      frozen.release();
      await zombie;
      await h.app.services.background.drain();

      expect((await h.app.store.get(newer))!.state).toBe('succeeded');
      expect(entries()).toContain('acr-auth');
    } finally {
      frozen.release();
      await zombie.catch(() => undefined);
    }
    // One PATCH, the other instance's; the woken run recorded no failure of the cluster step.
    const done = await actions(first);
    expect(done.filter((a) => a === 'access.revoke.serviceAccount:patched')).toHaveLength(1);
    expect(done).not.toContain('access.revoke.secret:failed');
  });
});
