/**
 * G15 and G17 for a pull secret's service-account entry, end to end (server, scheduler, Kubernetes
 * emulator, test clock): the run records which account object it linked (its uid), and the
 * revocation leaves the entries of an account made again under that name; a link whose result
 * nobody could tell is recorded as such, said so, and still undone by the revocation.
 */
import type { KubeObject } from '../../src/sandbox/kubernetes';
import { users } from '../helpers/harness';
import {
  actions,
  advance,
  grantedSecretOnAksDev,
  h,
  MINUTE,
  start,
  tokens,
  useLifecycleHooks,
} from '../helpers/lifecycle';

const ARGS = 'aks-dev contosoacr --namespace payments --service-account default --for 2m pull for payments-api';

type Emulator = Awaited<ReturnType<typeof grantedSecretOnAksDev>>['k8s'];

const entries = (k8s: Emulator) =>
  (
    (k8s.getObject('serviceaccounts', 'payments', 'default') as unknown as { imagePullSecrets?: { name: string }[] })
      .imagePullSecrets ?? []
  ).map((e) => e.name);

describe('the service account acrbot linked the secret to', () => {
  useLifecycleHooks();

  test('its uid is recorded; made again since with the same entry, the revocation leaves it and says so', async () => {
    const { id, k8s } = await grantedSecretOnAksDev(ARGS);
    const linked = k8s.getObject('serviceaccounts', 'payments', 'default')!;
    const secret = (await h.app.store.get(id))!.outcome!.secret!;
    expect(secret.serviceAccounts).toEqual(['default']);
    expect(secret.serviceAccountLinks).toEqual({ default: { uid: linked.metadata.uid } });
    // The team deletes the account and makes it again, naming the same secret itself.
    k8s.deleteObject('serviceaccounts', 'payments', 'default');
    k8s.seedObject('serviceaccounts', {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'default', namespace: 'payments' },
      imagePullSecrets: [{ name: 'team' }, { name: 'acr-auth' }],
    } as KubeObject);
    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(id))!.state).toBe('revoked');
    expect(entries(k8s)).toEqual(['team', 'acr-auth']);
    expect(await actions(id)).toEqual(
      expect.arrayContaining(['access.revoke.secret:deleted', 'access.revoke.serviceAccount:kept']),
    );
    expect(await actions(id)).not.toContain('access.revoke.serviceAccount:patched');
    const kept = (await h.app.audit.forRequest(id)).find((e) => e.action === 'access.revoke.serviceAccount')!;
    expect(kept.detail).toMatch(/made again since acrbot added the entry/);
  });

  test('a link nobody could confirm: recorded as unknown, said so, and undone by the revocation', async () => {
    await start();
    const k8s = h.app.sandbox!.kubernetes['aks-dev'];
    // The patch lands but answers 500, and reading the account back fails too.
    k8s.faults.inject({
      verb: 'patch',
      resource: 'serviceaccounts',
      name: 'default',
      status: 500,
      meanwhile: () => {
        const current = k8s.getObject('serviceaccounts', 'payments', 'default')!;
        k8s.seedObject('serviceaccounts', {
          ...current,
          imagePullSecrets: [{ name: 'team' }, { name: 'acr-auth' }],
        } as KubeObject);
        k8s.faults.inject({ verb: 'get', resource: 'serviceaccounts', name: 'default', status: 503, times: 4 });
      },
    });
    const { id } = await h.requestSecret(users.requester, ARGS);
    await h.click(users.approver, 'approve', { requestId: id });
    const done = await h.settle(id);
    expect(done.state).toBe('succeeded');
    const secret = done.outcome!.secret!;
    expect(secret.serviceAccountPatched).toBe(false);
    expect(secret.serviceAccounts).toEqual([]);
    expect(secret.serviceAccountLinks).toEqual({
      default: { uid: k8s.getObject('serviceaccounts', 'payments', 'default')!.metadata.uid, unknown: true },
    });
    expect(done.outcome!.summary).toContain('Perhaps not added to service account default:');
    expect(await actions(id)).toContain('kubernetes.write.serviceAccount:unknown');
    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(id))!.state).toBe('revoked');
    expect(entries(k8s)).toEqual(['team']);
    expect(await actions(id)).toContain('access.revoke.serviceAccount:patched');
    expect(await actions(id)).not.toContain('access.revoke.serviceAccount:kept');
  });

  test('a secret of that name being deleted (held by a finalizer): refused, nothing made, nothing written', async () => {
    await start();
    const k8s = h.app.sandbox!.kubernetes['aks-dev'];
    const held = k8s.seedObject('secrets', {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/dockerconfigjson',
      metadata: {
        name: 'acr-auth',
        namespace: 'payments',
        finalizers: ['example.com/hold'],
        deletionTimestamp: '2026-11-30T09:00:00Z',
      },
      data: { '.dockerconfigjson': Buffer.from('{"auths":{}}').toString('base64') },
    } as KubeObject);
    const before = tokens();
    const { id } = await h.requestSecret(users.requester, ARGS);
    await h.click(users.approver, 'approve', { requestId: id });
    const done = await h.settle(id);
    expect(done.state).toBe('failed');
    expect(done.outcome!.errorCode).toBe('kubernetes.secretTerminating');
    expect(done.outcome!.error).toBe(
      'Secret payments/acr-auth in cluster aks-dev is being deleted (finalizers example.com/hold); nothing was written. Try again when it is gone (a new request may also choose another --name).',
    );
    expect(tokens()).toEqual(before);
    expect(k8s.getObject('secrets', 'payments', 'acr-auth')!.metadata.resourceVersion).toBe(
      held.metadata.resourceVersion,
    );
  });
});
