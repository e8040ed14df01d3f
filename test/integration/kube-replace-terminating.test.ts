/**
 * `KubePullSecrets.write` on a secret whose deletion (held by a finalizer) starts between the
 * precheck and the write. The precheck refuses a secret already being deleted; a delete that lands
 * after it marks the secret (`deletionTimestamp`) and gives it a new resourceVersion, so the
 * replace, conditional on the checked version, gets 409 and the read that follows finds it being
 * deleted: refused as `kubernetes.secretTerminating`, never replaced at the new version (the API
 * server would take the new credential away with the secret once its finalizers clear). Against
 * the sandbox's cluster; the emulator's `meanwhile` fault lands the delete, as another client's
 * DELETE, just before acrbot's next call.
 */
import {
  KubePullSecrets,
  MANAGED_BY_LABEL,
  REQUEST_ID_LABEL,
} from '../../src/integrations/kubernetes/kube-pull-secrets';
import type { KubeObject } from '../../src/sandbox/kubernetes';
import { dockerConfig as config, dockerConfigData as data, useAksProd } from '../helpers/aks-prod-port';

const { emulator, port } = useAksProd();
const NS = 'payments';
const FIRST = 'R-F1RSTAAA';
const NEXT = 'R-NEXTBBBB';
const HOLD = 'example.com/hold';

/** What the refusal says when the secret was not written (as the precheck's refusal says it). */
const refusal = (secretName: string) =>
  `Secret ${NS}/${secretName} in cluster aks-prod is being deleted (finalizers ${HOLD}); nothing was written. Try again when it is gone (a new request may also choose another --name).`;

/**
 * Secret `secretName` written for {@link FIRST}, given a finalizer by someone else, then
 * prechecked as the secret flow does: the write the flow would send to replace it for {@link NEXT}.
 */
async function checked(secretName: string) {
  const { kube, cluster, access: first } = await port();
  await kube.write(first, {
    namespace: NS,
    secretName,
    dockerConfigJson: config('first'),
    labels: { [REQUEST_ID_LABEL]: FIRST },
    annotations: { 'acrbot.io/request-id': FIRST },
  });
  const object = emulator().getObject('secrets', NS, secretName)!;
  emulator().seedObject('secrets', { ...object, metadata: { ...object.metadata, finalizers: [HOLD] } } as KubeObject);
  const access = await kube.access(cluster);
  const { existing } = await kube.precheck(access, { namespace: NS, secretName });
  const write = {
    namespace: NS,
    secretName,
    dockerConfigJson: config('next'),
    labels: { [REQUEST_ID_LABEL]: NEXT },
    annotations: { 'acrbot.io/request-id': NEXT },
    replaceResourceVersion: existing!.resourceVersion,
    replaceUid: existing!.uid,
    replaceRequestIdLabel: existing!.requestIdLabel,
    replaceMetadata: existing!.metadata,
  };
  return { kube, access, write, existing: existing! };
}

/** Another client's DELETE of `secretName`, landing just before acrbot's next `method` call on it. */
function deleteBefore(method: 'PUT' | 'GET' | 'POST', secretName: string) {
  emulator().faults.inject({
    method,
    resource: 'secrets',
    ...(method === 'POST' ? { namespace: NS } : { name: secretName }),
    meanwhile: () => void emulator().deleteAsClient('secrets', NS, secretName),
  });
}

/** The secrets calls `emulator()` answered for `secretName`, in order (`GET`, `PUT`, …). */
const secretCalls = (secretName: string) =>
  emulator()
    .requests.filter((r) => r.path === `/api/v1/namespaces/${NS}/secrets/${secretName}`)
    .map((r) => `${r.method} ${r.status}`);

/** The write's failure (or undefined when it answered). */
const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (err: unknown) => err as Error & { code?: string },
  );

/** The stored secret still holds the first credential, marked for deletion. */
function expectLeftBeingDeleted(secretName: string) {
  const stored = emulator().getObject('secrets', NS, secretName)!;
  expect(stored.data).toEqual({ '.dockerconfigjson': data('first') });
  expect(stored.metadata.labels?.[REQUEST_ID_LABEL]).toBe(FIRST);
  expect(stored.metadata.deletionTimestamp).toEqual(expect.any(String));
}

test('deleted between the check and the replace: the PUT gets 409, the read finds it being deleted, refused', async () => {
  const { kube, access, write } = await checked('acr-deleted-before-put');
  deleteBefore('PUT', 'acr-deleted-before-put');
  emulator().clearRequests();
  const failure = await failureOf(kube.write(access, write));
  expect(failure).toMatchObject({ code: 'kubernetes.secretTerminating' });
  expect(failure?.message).toBe(refusal('acr-deleted-before-put'));
  // No second PUT at the version the delete gave it.
  expect(secretCalls('acr-deleted-before-put')).toEqual(['PUT 409', 'GET 200']);
  expectLeftBeingDeleted('acr-deleted-before-put');
});

test('touched, then deleted before the second PUT: refused on the read after that 409', async () => {
  const { kube, access, write } = await checked('acr-touched-then-deleted');
  emulator().faults.inject({
    method: 'PUT',
    resource: 'secrets',
    name: 'acr-touched-then-deleted',
    meanwhile: () => {
      const object = emulator().getObject('secrets', NS, 'acr-touched-then-deleted')!;
      emulator().seedObject('secrets', {
        ...object,
        metadata: {
          ...object.metadata,
          annotations: { ...object.metadata.annotations, 'example.com/scanned': 'true' },
        },
      } as KubeObject);
    },
  });
  deleteBefore('PUT', 'acr-touched-then-deleted');
  emulator().clearRequests();
  const failure = await failureOf(kube.write(access, write));
  expect(failure).toMatchObject({ code: 'kubernetes.secretTerminating' });
  expect(secretCalls('acr-touched-then-deleted')).toEqual(['PUT 409', 'GET 200', 'PUT 409', 'GET 200']);
  expectLeftBeingDeleted('acr-touched-then-deleted');
});

test('no metadata from the caller, deleted before the write reads it: refused with nothing sent', async () => {
  const { kube, access, write } = await checked('acr-deleted-before-read');
  const { replaceMetadata: _seen, ...unseen } = write;
  deleteBefore('GET', 'acr-deleted-before-read');
  emulator().clearRequests();
  const failure = await failureOf(kube.write(access, unseen));
  expect(failure).toMatchObject({ code: 'kubernetes.secretTerminating' });
  expect(failure?.message).toBe(refusal('acr-deleted-before-read'));
  expect(secretCalls('acr-deleted-before-read')).toEqual(['GET 200']);
  expectLeftBeingDeleted('acr-deleted-before-read');
});

test('absent at the check, then made and deleted by someone else: the create is refused as being deleted', async () => {
  const { kube, access } = await port();
  const secretName = 'acr-appeared-deleted';
  emulator().faults.inject({
    method: 'POST',
    resource: 'secrets',
    namespace: NS,
    meanwhile: () => {
      emulator().seedObject('secrets', {
        metadata: { name: secretName, namespace: NS, finalizers: [HOLD] },
        type: 'Opaque',
      } as KubeObject);
      emulator().deleteAsClient('secrets', NS, secretName);
    },
  });
  const failure = await failureOf(
    kube.write(access, {
      namespace: NS,
      secretName,
      dockerConfigJson: config('next'),
      labels: { [REQUEST_ID_LABEL]: NEXT },
      annotations: { 'acrbot.io/request-id': NEXT },
    }),
  );
  expect(failure).toMatchObject({ code: 'kubernetes.secretTerminating', message: refusal(secretName) });
  expect(emulator().getObject('secrets', NS, secretName)!.data).toBeUndefined();
});

test('a replace whose answer shows the secret being deleted is refused, not reported as written', async () => {
  // A caller that names the version the delete gave it (it checked after the delete, or kept
  // what an older acrbot checked): the PUT lands, and its answer carries the mark.
  const { kube, access, write } = await checked('acr-written-into-deleted');
  const marked = emulator().deleteAsClient('secrets', NS, 'acr-written-into-deleted')!;
  const failure = await failureOf(
    kube.write(access, { ...write, replaceResourceVersion: marked.metadata.resourceVersion as string }),
  );
  expect(failure).toMatchObject({ code: 'kubernetes.secretTerminating' });
  expect(failure?.message).toBe(
    `Secret ${NS}/acr-written-into-deleted in cluster aks-prod started being deleted (finalizers ${HOLD}) while acrbot wrote it, so it will vanish with the new credential; acrbot does not count it as written. Try again when it is gone (a new request may also choose another --name).`,
  );
  const stored = emulator().getObject('secrets', NS, 'acr-written-into-deleted')!;
  expect(stored.metadata.deletionTimestamp).toBe(marked.metadata.deletionTimestamp);
  expect(stored.metadata.labels).toMatchObject({ [REQUEST_ID_LABEL]: NEXT, [MANAGED_BY_LABEL]: 'acrbot' });
});
