/**
 * A pull secret's access on a cluster stopped after it was granted (`az aks stop`, through the
 * ARM emulator's own stop operation): its end cannot delete the secret, and says that the
 * cluster is stopped (not that its API server may be down or unreachable) while acrbot keeps
 * retrying, which finishes once the cluster is started again (the approvers are told to start it
 * first, and to delete what is left by hand only once it runs); an extension asked for while it
 * is stopped is refused with how to start it, and one whose cluster was stopped after it was
 * planned fails with a way on an extension can follow (start it, then extend again); `check`
 * says it is stopped and reads nothing in it.
 */
import { ContainerServiceClient } from '@azure/arm-containerservice';
import { BUILT_IN_ROLES } from '../../src/sandbox/arm/role-definitions';
import { SANDBOX_CLUSTERS, sandboxResourceId } from '../../src/sandbox/fixtures';
import { sandboxCredential } from '../../src/sandbox/identity/access-tokens';
import { cardText } from '../helpers/capturing-connector';
import { users } from '../helpers/harness';
import {
  actions,
  advance,
  grantedSecretOnAksDev,
  h,
  jobOf,
  MINUTE,
  requestExtension,
  tokens,
  useLifecycleHooks,
} from '../helpers/lifecycle';

const dev = SANDBOX_CLUSTERS.dev;
/** How acrbot says to start aks-dev (in its subscription, which the CLI may not be set to). */
const START_DEV = `az aks start --subscription ${dev.subscriptionId} -g rg-dev -n aks-dev`;
const devId = sandboxResourceId('cluster', dev);

/** Stops (or starts) aks-dev as `az aks stop` does: AKS's long-running POST through the ARM emulator. */
async function power(verb: 'stop' | 'start'): Promise<void> {
  const sandbox = h.app.sandbox!;
  // acrbot's own identity may not stop a cluster (Cluster User Role): the test's caller may.
  sandbox.arm.state.assignCallerRole(devId, BUILT_IN_ROLES.contributor);
  const aks = new ContainerServiceClient(sandboxCredential, dev.subscriptionId, {
    endpoint: sandbox.armUrl,
    tlsOptions: { ca: sandbox.tls.caPem },
  });
  await aks.managedClusters[verb](dev.resourceGroup, dev.name, { updateIntervalInMs: 0 });
  expect((await aks.managedClusters.get(dev.resourceGroup, dev.name)).powerState?.code).toBe(
    verb === 'stop' ? 'Stopped' : 'Running',
  );
}

describe('pull secret access on a cluster stopped after its grant', () => {
  useLifecycleHooks();

  test('its end deletes the credential, says the cluster is stopped and that acrbot keeps trying, and finishes once it is started', async () => {
    const { id, k8s } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --for 2m pull for payments-api',
    );
    await power('stop');
    h.connector.clear();
    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    await h.app.services.background.drain();
    // Not ended: the secret is still there, and the job retries.
    expect((await h.app.store.get(id))!.state).toBe('succeeded');
    expect(k8s.getObject('secrets', 'payments', 'acr-auth')).toBeDefined();
    expect(tokens()).toEqual([]);
    const job = (await jobOf(`access.expire:${id}`))!;
    expect(job.attempts).toBe(1);
    const failed = (await h.app.audit.forRequest(id)).find(
      (e) => e.action === 'access.revoke.secret' && e.outcome === 'failed',
    );
    expect(failed?.detail).toContain('the cluster step failed (cluster.stopped)');
    const report = await h.connector.waitFor(
      (c) => c.op !== 'update' && /Needs attention/.test(cardText(c.activity)),
      5000,
      'the approvers’ report',
    );
    const text = cardText(report.activity);
    expect(text).toContain(
      `last answer: Cluster aks-dev is stopped (its power state is Stopped), so its API server answers nothing until it is started: ${START_DEV}.`,
    );
    expect(text).toContain('acrbot keeps trying; next attempt at');
    expect(text).not.toContain('check that its API server is up and reachable');
    // What to do meanwhile: start it, and acrbot finishes; kubectl (which gets no answer) only after.
    expect(text).toContain(
      `Cluster aks-dev must be started first (${START_DEV}): until then nothing in it can be deleted, by acrbot or by hand, and once it runs acrbot's next attempt finishes on its own.`,
    );
    expect(text.indexOf('must be started first')).toBeLessThan(text.indexOf('kubectl'));
    expect(text).toContain('To delete it by hand once the cluster runs, first check that kubectl get secret');

    // Started again: the next attempt deletes the secret and ends the access.
    await power('start');
    advance(MINUTE);
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(id))!.state).toBe('revoked');
    expect(k8s.getObject('secrets', 'payments', 'acr-auth')).toBeUndefined();
    expect(await actions(id)).toEqual(
      expect.arrayContaining(['access.revoke.secret:deleted', 'access.expired:revoked']),
    );
  });

  test('an extension asked for while it is stopped is refused with how to start it; nothing is filed', async () => {
    const { id } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --for 1h pull for payments-api',
    );
    await power('stop');
    h.connector.clear();
    await h.say(users.requester, `extend ${id} --for 3h rollout still running`);
    const reply = await h.connector.waitFor((c) => /Could not extend/.test(cardText(c.activity)), 5000, 'the refusal');
    expect(cardText(reply.activity)).toContain(
      `Cluster aks-dev is stopped (its power state is Stopped), so acrbot cannot extend pull secret payments/acr-auth in it (an extension writes a new credential into the secret): start it with ${START_DEV} and extend again.`,
    );
    expect(await h.app.store.listByState(['pending'], 10)).toEqual([]);
    const refusal = (await h.app.audit.forRequest(id)).find((e) => e.action === 'extend.refused');
    expect(refusal?.outcome).toBe('cluster.stopped');
  });

  test('an extension whose cluster was stopped after it was planned fails with a way on an extension can follow', async () => {
    const { id } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --for 1h pull for payments-api',
    );
    const extensionId = await requestExtension(id, '--for 3h rollout still running');
    await power('stop');
    await h.click(users.approver, 'approve', { requestId: extensionId });
    const done = await h.settle(extensionId);
    expect(done.state).toBe('failed');
    expect(done.outcome?.errorCode).toBe('cluster.stopped');
    expect(done.outcome?.error).toContain(
      `start it with ${START_DEV} before extending again (an extension writes a new credential into the secret, which needs the cluster running).`,
    );
    // Neither a new request nor a grant: an extension of this access is what was asked for.
    expect(done.outcome?.error).not.toContain('the new request needs approving again');
    expect(done.outcome?.error).not.toContain('A grant');
    expect(done.outcome?.error).toContain(`Access of ${id} was not extended; it still ends at 2026-11-30 11:00 UTC.`);
  });

  test('check: the cluster is stopped, its pods pull nothing until it is started; its secrets not read there', async () => {
    const { k8s } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --for 1h pull for payments-api',
    );
    await power('stop');
    const calls = k8s.requests.length;
    const text = await h.ask(users.approver, 'check aks-dev contosoacr');
    expect(text).toContain(
      `aks-dev is stopped (its power state is Stopped): its pods cannot pull until it is started (${START_DEV}); what follows holds once it runs.`,
    );
    expect(text).toContain(
      `Not checked in the cluster (cluster aks-dev is stopped (its power state is Stopped): start it with ${START_DEV})`,
    );
    expect(k8s.requests.length).toBe(calls);
  });
});
