/**
 * G17 with G15: a pull secret touched between acrbot's read and its conditional delete. The delete
 * carries the uid and resourceVersion just read, so anyone's harmless write in between (a
 * `kubectl annotate`, a reflector or GitOps controller) answers 409; acrbot reads the secret again
 * and checks it again against its own records, rather than leaving it for good as "not ours". A
 * secret replaced in between (another uid, labels copied) is still left alone, and one that keeps
 * changing fails the revocation, which the scheduler retries. Through the real server, the
 * scheduler and the Kubernetes emulator (its `meanwhile` fault: another client's write landing
 * just before the DELETE is carried out), with a test clock.
 */
import type { KubeObject } from '../../src/sandbox/kubernetes';
import { useLifecycleHooks, h, advance, MINUTE, contosoId, grantedSecretOnAksDev, actions } from '../helpers/lifecycle';

type Emulator = Awaited<ReturnType<typeof grantedSecretOnAksDev>>['k8s'];

const SECRET = ['secrets', 'payments', 'acr-auth'] as const;
const ARGS = 'aks-dev contosoacr --namespace payments --service-account default --for 2m pull for payments-api';

/** Someone annotates the secret in place (`kubectl annotate`): same uid, a new resourceVersion. */
function annotate(k8s: Emulator, value: string): void {
  const current = k8s.getObject(...SECRET)!;
  k8s.seedObject('secrets', {
    ...current,
    metadata: { ...current.metadata, annotations: { ...current.metadata.annotations, 'example.com/touched': value } },
  } as KubeObject);
}

const pullSecrets = (k8s: Emulator) =>
  (k8s.getObject('serviceaccounts', 'payments', 'default') as unknown as { imagePullSecrets?: { name: string }[] })
    .imagePullSecrets ?? [];

/** Statuses of the emulator's DELETEs of the secret, in order. */
const deletes = (k8s: Emulator) =>
  k8s.requests.filter((r) => r.method === 'DELETE' && r.path.endsWith('/secrets/acr-auth')).map((r) => r.status);

describe('revoking a pull secret that changes between the read and the delete', () => {
  useLifecycleHooks();

  test('annotated once in between: read again, still the object acrbot wrote, deleted (and its service-account entry taken out)', async () => {
    const { id, k8s } = await grantedSecretOnAksDev(ARGS);
    const written = k8s.getObject(...SECRET)!;
    k8s.faults.inject({ verb: 'delete', resource: 'secrets', meanwhile: () => annotate(k8s, 'once') });
    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    expect(deletes(k8s)).toEqual([409, 200]);
    expect(k8s.getObject(...SECRET)).toBeUndefined();
    expect(pullSecrets(k8s)).toEqual([]);
    expect((await h.app.store.get(id))!.state).toBe('revoked');
    expect(await actions(id)).toEqual(
      expect.arrayContaining([
        'access.revoke.secret:deleted',
        'access.revoke.serviceAccount:patched',
        'access.revoke.credential:deleted',
      ]),
    );
    expect(await actions(id)).not.toContain('access.revoke.secret:notOurs');
    // The second DELETE named the same object, at the version the annotation made.
    const second = k8s.requests.filter((r) => r.method === 'DELETE' && r.path.endsWith('/secrets/acr-auth'))[1];
    expect(second.body).toMatchObject({ preconditions: { uid: written.metadata.uid } });
    expect((second.body as { preconditions: { resourceVersion: string } }).preconditions.resourceVersion).not.toBe(
      written.metadata.resourceVersion,
    );
  });

  test('G15: replaced in between by a secret with copied labels (another uid): left in place as not acrbot’s', async () => {
    const { id, k8s } = await grantedSecretOnAksDev(ARGS);
    const written = k8s.getObject(...SECRET)!;
    let planted: KubeObject | undefined;
    k8s.faults.inject({
      verb: 'delete',
      resource: 'secrets',
      meanwhile: () => {
        k8s.deleteObject(...SECRET);
        planted = k8s.seedObject('secrets', {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: {
            name: 'acr-auth',
            namespace: 'payments',
            labels: written.metadata.labels,
            annotations: written.metadata.annotations,
          },
          type: 'kubernetes.io/dockerconfigjson',
          data: { '.dockerconfigjson': Buffer.from('{"auths":{}}').toString('base64') },
        } as KubeObject);
      },
    });
    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    expect(deletes(k8s)).toEqual([409]);
    expect(planted!.metadata.uid).not.toBe(written.metadata.uid);
    expect(k8s.getObject(...SECRET)?.metadata.uid).toBe(planted!.metadata.uid);
    expect((await h.app.store.get(id))!.state).toBe('revoked');
    expect(h.app.sandbox!.arm.state.listTokens(contosoId)).toHaveLength(0);
    expect(await actions(id)).toEqual(
      expect.arrayContaining(['access.revoke.secret:notOurs', 'access.revoke.credential:deleted']),
    );
  });

  test('G17: changed before every delete: the revocation fails as a conflict and is retried, not left as not acrbot’s; the retry deletes it', async () => {
    const { id, k8s } = await grantedSecretOnAksDev(ARGS);
    let touches = 0;
    const churning = k8s.faults.inject({
      verb: 'delete',
      resource: 'secrets',
      times: Infinity,
      meanwhile: () => annotate(k8s, String(++touches)),
    });
    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    churning();
    expect(touches).toBe(3);
    expect(deletes(k8s)).toEqual([409, 409, 409]);
    expect(k8s.getObject(...SECRET)).toBeDefined();
    expect((await h.app.store.get(id))!.state).toBe('succeeded');
    const failed = (await h.app.audit.forRequest(id)).find(
      (e) => e.action === 'access.revoke.secret' && e.outcome === 'failed',
    );
    expect(failed?.detail).toMatch(/kubernetes\.conflict/);
    expect(await actions(id)).not.toContain('access.revoke.secret:notOurs');

    // The scheduler's retry, once the secret is left alone.
    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(id))!.state).toBe('revoked');
    expect(k8s.getObject(...SECRET)).toBeUndefined();
    expect(pullSecrets(k8s)).toEqual([]);
    expect(await actions(id)).toContain('access.revoke.secret:deleted');
  });
});
