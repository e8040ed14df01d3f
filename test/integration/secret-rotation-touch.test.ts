/**
 * A secret rotation (an approved extension writing its new credential into the secret the
 * original wrote) while someone else touches the secret between acrbot's check and its PUT: a
 * scanner's annotation leaves it the object acrbot checked, so the extension goes through,
 * keeping the annotation, with one token live; a change of acrbot's request-id label is someone
 * else's write, still refused, the new token deleted again (G14, G15); a deletion held by a
 * finalizer fails the extension as `kubernetes.secretTerminating`, nothing reported written, with
 * ways on an extension can follow (no `--name` for `extend`), and the secret, still the
 * original's, goes once its finalizer clears. The port-level cases are in
 * kube-replace-conflict.test.ts and kube-replace-terminating.test.ts.
 */
import { users } from '../helpers/harness';
import {
  advance,
  grantedSecretOnAksDev,
  h,
  MINUTE,
  requestExtension,
  tokens,
  useLifecycleHooks,
} from '../helpers/lifecycle';

useLifecycleHooks();

type Cluster = Awaited<ReturnType<typeof grantedSecretOnAksDev>>['k8s'];

/**
 * The original granted, `before` done to its secret, its extension asked for, and `meanwhile`
 * landing on the secret just before acrbot's PUT.
 */
async function extensionWith(meanwhile: (k8s: Cluster) => void, before: (k8s: Cluster) => void = () => undefined) {
  const { id: first, k8s } = await grantedSecretOnAksDev(
    'aks-dev contosoacr --namespace payments --for 1h pull for payments-api',
  );
  before(k8s);
  advance(MINUTE);
  const extension = await requestExtension(first, '--for 2h still needed for payments');
  k8s.faults.inject({ method: 'PUT', resource: 'secrets', name: 'acr-auth', meanwhile: () => meanwhile(k8s) });
  await h.click(users.approver, 'approve', { requestId: extension });
  const done = await h.settle(extension);
  return { first, extension, done, secret: k8s.getObject('secrets', 'payments', 'acr-auth')! };
}

/** {@link extensionWith} where someone changes the secret's metadata by `change` just before the PUT. */
function extensionTouched(change: (meta: Record<string, unknown>) => Record<string, unknown>) {
  return extensionWith((k8s) => {
    const secret = k8s.getObject('secrets', 'payments', 'acr-auth')!;
    k8s.seedObject('secrets', { ...secret, metadata: change(secret.metadata) as typeof secret.metadata });
  });
}

test('annotated between the check and the PUT: the extension succeeds, the annotation kept, one token live', async () => {
  const { extension, done, secret } = await extensionTouched((meta) => ({
    ...meta,
    annotations: { ...(meta.annotations as object), 'example.com/scanned': 'true' },
  }));
  expect(done.state).toBe('succeeded');
  expect(done.outcome?.secret?.action).toBe('replaced');
  expect(secret.metadata.labels?.['acrbot.io/request-id']).toBe(extension);
  expect(secret.metadata.annotations?.['example.com/scanned']).toBe('true');
  expect(done.created?.find((o) => o.kind === 'pullSecret')?.uid).toBe(secret.metadata.uid);
  expect(tokens()).toEqual([`acrbot-${extension.toLowerCase()}`]);
});

test("acrbot's label changed between the check and the PUT: still refused, the new token deleted again", async () => {
  const { first, done, secret } = await extensionTouched((meta) => ({
    ...meta,
    labels: { ...(meta.labels as object), 'acrbot.io/request-id': 'R-0THERCCC' },
  }));
  expect(done.state).toBe('failed');
  expect(done.outcome?.errorCode).toBe('kubernetes.secretChanged');
  expect(secret.metadata.labels?.['acrbot.io/request-id']).toBe('R-0THERCCC');
  expect(tokens()).toEqual([`acrbot-${first.toLowerCase()}`]);
});

test("others' owner and label on the secret: the extension writes over what its check read (no second read), keeping them", async () => {
  const { id: first, k8s } = await grantedSecretOnAksDev(
    'aks-dev contosoacr --namespace payments --for 1h pull for payments-api',
  );
  const owner = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    name: 'payments-api',
    uid: 'c0ffee00-0000-4000-8000-000000000001',
  };
  const before = k8s.getObject('secrets', 'payments', 'acr-auth')!;
  k8s.seedObject('secrets', {
    ...before,
    metadata: { ...before.metadata, ownerReferences: [owner], labels: { ...before.metadata.labels, team: 'payments' } },
  });
  advance(MINUTE);
  const extension = await requestExtension(first, '--for 2h still needed for payments');
  k8s.clearRequests();
  await h.click(users.approver, 'approve', { requestId: extension });
  const done = await h.settle(extension);
  expect(done.state).toBe('succeeded');
  expect(done.outcome?.secret?.action).toBe('replaced');
  // The run's check read the secret; the replace was built from that read, not from another one.
  const secretCalls = k8s.requests
    .filter((r) => r.path === '/api/v1/namespaces/payments/secrets/acr-auth')
    .map((r) => r.method);
  expect(secretCalls).toEqual(['GET', 'PUT']);
  const secret = k8s.getObject('secrets', 'payments', 'acr-auth')!;
  expect(secret.metadata.labels?.['acrbot.io/request-id']).toBe(extension);
  expect(secret.metadata.labels?.team).toBe('payments');
  expect(secret.metadata.ownerReferences).toEqual([owner]);
});

test('deleted between the check and the PUT: the extension fails, nothing reported written, its new token deleted', async () => {
  const { first, done, secret } = await extensionWith(
    (k8s) => void k8s.deleteAsClient('secrets', 'payments', 'acr-auth'),
    // Someone's controller protects the secret (before the extension's check reads it).
    (k8s) => {
      const written = k8s.getObject('secrets', 'payments', 'acr-auth')!;
      k8s.seedObject('secrets', { ...written, metadata: { ...written.metadata, finalizers: ['example.com/hold'] } });
    },
  );
  expect(done.state).toBe('failed');
  expect(done.outcome?.errorCode).toBe('kubernetes.secretTerminating');
  expect(done.outcome?.error).toBe(
    `Secret payments/acr-auth in cluster aks-dev is being deleted (finalizers example.com/hold); nothing was written. Extend again when it is gone (an extension writes only into this secret, and writes it anew then), or ask for a new pull secret under another name: "@acrbot secret aks-dev contosoacr --namespace payments --name NEW-NAME --for 2h REASON…". The credential acrbot had created was deleted again. Access of ${first} was not extended; it still ends at 2026-11-30 11:00 UTC.`,
  );
  expect(done.outcome?.secret).toBeUndefined();
  expect(done.created?.some((o) => o.kind === 'pullSecret')).toBe(false);
  expect(secret.metadata.deletionTimestamp).toEqual(expect.any(String));
  expect(secret.metadata.labels?.['acrbot.io/request-id']).toBe(first);
  expect(tokens()).toEqual([`acrbot-${first.toLowerCase()}`]);
});
