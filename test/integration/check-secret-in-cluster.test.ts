/**
 * `check CLUSTER REGISTRY` looks for the live pull secrets acrbot's records name in the cluster
 * itself (read-only): a secret or a service account's `imagePullSecrets` entry removed outside
 * acrbot (GitOps, a person) is said gone, not named as in use; a cluster acrbot cannot reach
 * still gets its answer, the secret "not checked". Through the real app and the Kubernetes
 * emulator.
 */
import { users } from '../helpers/harness';
import { grantedSecretOnAksDev, h, useLifecycleHooks } from '../helpers/lifecycle';

const ARGS = 'aks-dev contosoacr --namespace payments --service-account default --for 30d pull for payments-api';

describe('check looks for the pull secrets in the cluster', () => {
  useLifecycleHooks();

  test('a secret there as acrbot wrote it is named as a way of pulling', async () => {
    const { id } = await grantedSecretOnAksDev(ARGS);
    const text = await h.ask(users.approver, 'check aks-dev contosoacr');
    expect(text).toContain(`Pull secret acr-auth in namespace payments: acrbot request ${id}`);
    expect(text).toContain('It is in the cluster.');
    expect(text).toContain('Pods that reference pull secret acr-auth in namespace payments');
    expect(text).not.toContain('no longer');
  });

  test('a secret deleted in the cluster outside acrbot is said gone, and not offered as a way of pulling', async () => {
    const { k8s } = await grantedSecretOnAksDev(ARGS);
    expect(k8s.deleteObject('secrets', 'payments', 'acr-auth')).toBe(true);
    const before = k8s.requests.length;
    const text = await h.ask(users.approver, 'check aks-dev contosoacr');
    expect(text).toContain(
      'recorded, but the secret is no longer in the cluster: deleted outside acrbot; pods using it cannot pull with it.',
    );
    expect(text).not.toContain('Pods that reference pull secret acr-auth');
    // Read only: nothing was written to the cluster by the check.
    const calls = k8s.requests.slice(before).map((r) => `${r.method} ${r.path}`);
    expect(calls).toEqual([
      'GET /api/v1/namespaces/payments/secrets/acr-auth',
      'GET /api/v1/namespaces/payments/serviceaccounts/default',
    ]);
  });

  test('a service-account entry removed outside acrbot is said gone', async () => {
    const { k8s } = await grantedSecretOnAksDev(ARGS);
    const sa = k8s.getObject('serviceaccounts', 'payments', 'default')!;
    k8s.seedObject('serviceaccounts', { ...sa, imagePullSecrets: [] } as typeof sa);
    const text = await h.ask(users.approver, 'check aks-dev contosoacr');
    expect(text).toContain(
      'Service account default no longer lists it in its imagePullSecrets (removed outside acrbot): pods running as default do not get it.',
    );
    expect(text).not.toContain('or run as service account default');
  });

  test('the secret’s contents replaced outside acrbot (a GitOps sync) are said to be no longer acrbot’s, never shown', async () => {
    const { k8s } = await grantedSecretOnAksDev(ARGS);
    const secret = k8s.getObject('secrets', 'payments', 'acr-auth')! as unknown as { data: Record<string, string> };
    const theirs = Buffer.from('{"auths":{"contosoacr.azurecr.io":{"auth":"Z2l0b3BzOnRoZWlycw=="}}}').toString(
      'base64',
    );
    k8s.seedObject('secrets', { ...secret, data: { '.dockerconfigjson': theirs } } as never);
    const text = await h.ask(users.approver, 'check aks-dev contosoacr');
    expect(text).toContain("recorded, but the secret no longer holds acrbot's data");
    expect(text).not.toContain(theirs);
    expect(text).not.toContain(secret.data['.dockerconfigjson']);
  });

  test('a cluster acrbot cannot reach: the answer still comes, the secret not checked', async () => {
    const { id, k8s } = await grantedSecretOnAksDev(ARGS);
    const unreachable = k8s.faults.inject({ drop: true, times: Infinity });
    try {
      const text = await h.ask(users.approver, 'check aks-dev contosoacr');
      expect(text).toContain('Can aks-dev pull from contosoacr?');
      expect(text).toContain(`Pull secret acr-auth in namespace payments: acrbot request ${id}`);
      expect(text).toMatch(/Not checked in the cluster \(Cluster aks-dev could not be reached[^)]*\)/);
    } finally {
      unreachable();
    }
  });
});
