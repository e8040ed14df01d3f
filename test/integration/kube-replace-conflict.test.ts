/**
 * `KubePullSecrets.write` replacing a secret someone touched between the precheck and the PUT
 * (the replace is conditional on the version the precheck read, so it gets 409 Conflict): still
 * the object the caller checked (same uid, acrbot's labels as they were), it is read again and
 * replaced at its new version, keeping what others added; a label of acrbot's changed, or an
 * object made again under the name, is someone else's write and is still refused (G15).
 * Against the sandbox's cluster; the emulator's `meanwhile` fault lands the other write just
 * before the PUT. The rotation as a whole is covered in secret-rotation-touch.test.ts.
 */
import {
  KubePullSecrets,
  MANAGED_BY_LABEL,
  REQUEST_ID_LABEL,
} from '../../src/integrations/kubernetes/kube-pull-secrets';
import type { KubeObject } from '../../src/sandbox/kubernetes';
import { dockerConfig as config, dockerConfigData as data, useAksProd } from '../helpers/aks-prod-port';

const { emulator, port } = useAksProd();
const FIRST = 'R-F1RSTAAA';
const NEXT = 'R-NEXTBBBB';

/**
 * Secret `secretName` written through the port for {@link FIRST}, then given `extra` metadata
 * by others (before the precheck), and prechecked on a fresh access, as the secret flow does.
 */
async function checked(secretName: string, extra: Partial<KubeObject['metadata']> = {}) {
  const { kube, cluster, access: first } = await port();
  await kube.write(first, {
    namespace: 'payments',
    secretName,
    dockerConfigJson: config('first'),
    labels: { [REQUEST_ID_LABEL]: FIRST },
    annotations: { 'acrbot.io/request-id': FIRST, 'acrbot.io/old-key': 'from an older acrbot' },
  });
  if (Object.keys(extra).length) {
    const object = emulator().getObject('secrets', 'payments', secretName)!;
    emulator().seedObject('secrets', { ...object, metadata: { ...object.metadata, ...extra } } as KubeObject);
  }
  const access = await kube.access(cluster);
  const { existing } = await kube.precheck(access, { namespace: 'payments', secretName });
  const write = {
    namespace: 'payments',
    secretName,
    dockerConfigJson: config('next'),
    labels: { [REQUEST_ID_LABEL]: NEXT },
    annotations: { 'acrbot.io/request-id': NEXT },
    replaceResourceVersion: existing!.resourceVersion,
    // What the caller decided on, named to the write (the secret flow passes these from its check).
    replaceUid: existing!.uid,
    replaceRequestIdLabel: existing!.requestIdLabel,
  };
  return { kube, access, write, uid: existing!.uid!, cluster, existing: existing! };
}

/** Lands `change` (of the stored secret's metadata) as another client's write just before acrbot's next PUT(s). */
function touchBeforePut(
  secretName: string,
  change: (meta: KubeObject['metadata']) => KubeObject['metadata'],
  times = 1,
) {
  emulator().faults.inject({
    method: 'PUT',
    resource: 'secrets',
    name: secretName,
    times,
    meanwhile: () => {
      const object = emulator().getObject('secrets', 'payments', secretName)!;
      emulator().seedObject('secrets', { ...object, metadata: change(object.metadata) } as KubeObject);
    },
  });
}

const annotate = (key: string) => (meta: KubeObject['metadata']) => ({
  ...meta,
  annotations: { ...(meta.annotations ?? {}), [key]: 'true' },
});

test('annotated in between: read again, still the object checked, replaced keeping what others added', async () => {
  const { kube, access, write, uid } = await checked('acr-touched', {
    finalizers: ['example.com/protect'],
    labels: { [REQUEST_ID_LABEL]: FIRST, [MANAGED_BY_LABEL]: 'acrbot', team: 'payments' },
    annotations: {
      'acrbot.io/request-id': FIRST,
      'acrbot.io/old-key': 'from an older acrbot',
      'kubectl.kubernetes.io/last-applied-configuration': '{"data":{"old":"credential"}}',
    },
  });
  touchBeforePut('acr-touched', annotate('example.com/scanned'));
  const result = await kube.write(access, write);
  expect(result).toMatchObject({ action: 'replaced', uid });
  const stored = emulator().getObject('secrets', 'payments', 'acr-touched')!;
  expect(stored.data).toEqual({ '.dockerconfigjson': data('next') });
  expect(stored.metadata.uid).toBe(uid);
  expect(stored.metadata.labels).toEqual({ [REQUEST_ID_LABEL]: NEXT, [MANAGED_BY_LABEL]: 'acrbot', team: 'payments' });
  // Others' annotations kept; acrbot's own rewritten (a key it no longer writes dropped), and
  // kubectl's copy of the applied object (with its data) dropped, as a full replace did.
  expect(stored.metadata.annotations).toEqual({ 'acrbot.io/request-id': NEXT, 'example.com/scanned': 'true' });
  expect(stored.metadata.finalizers).toEqual(['example.com/protect']);
});

test('a 504 after someone annotated it: the PUT can no longer land, so it is replaced at the new version', async () => {
  const { kube, access, write, uid } = await checked('acr-touched-504');
  emulator().faults.inject({
    method: 'PUT',
    resource: 'secrets',
    name: 'acr-touched-504',
    status: 504,
    meanwhile: () => {
      const object = emulator().getObject('secrets', 'payments', 'acr-touched-504')!;
      emulator().seedObject('secrets', {
        ...object,
        metadata: annotate('example.com/scanned')(object.metadata),
      } as KubeObject);
    },
  });
  expect(await kube.write(access, write)).toMatchObject({ action: 'replaced', uid });
  const stored = emulator().getObject('secrets', 'payments', 'acr-touched-504')!;
  expect(stored.data).toEqual({ '.dockerconfigjson': data('next') });
  expect(stored.metadata.annotations?.['example.com/scanned']).toBe('true');
});

test("acrbot's request-id label changed in between: someone else's write, refused and left as it is", async () => {
  const { kube, access, write } = await checked('acr-relabelled');
  touchBeforePut('acr-relabelled', (meta) => ({
    ...meta,
    labels: { ...meta.labels, [REQUEST_ID_LABEL]: 'R-0THERCCC' },
  }));
  await expect(kube.write(access, write)).rejects.toMatchObject({ code: 'kubernetes.secretChanged' });
  const stored = emulator().getObject('secrets', 'payments', 'acr-relabelled')!;
  expect(stored.data).toEqual({ '.dockerconfigjson': data('first') });
  expect(stored.metadata.labels?.[REQUEST_ID_LABEL]).toBe('R-0THERCCC');
});

test('deleted and made again in between, labels copied (another uid): refused and left as it is', async () => {
  const { kube, access, write, uid } = await checked('acr-remade');
  let plantedUid: unknown;
  emulator().faults.inject({
    method: 'PUT',
    resource: 'secrets',
    name: 'acr-remade',
    meanwhile: () => {
      const object = emulator().getObject('secrets', 'payments', 'acr-remade')!;
      emulator().deleteObject('secrets', 'payments', 'acr-remade');
      plantedUid = emulator().seedObject('secrets', {
        ...object,
        metadata: { name: 'acr-remade', namespace: 'payments', labels: object.metadata.labels },
      } as KubeObject).metadata.uid;
    },
  });
  await expect(kube.write(access, write)).rejects.toMatchObject({ code: 'kubernetes.secretChanged' });
  expect(plantedUid).not.toBe(uid);
  const stored = emulator().getObject('secrets', 'payments', 'acr-remade')!;
  expect(stored.metadata.uid).toBe(plantedUid);
  expect(stored.data).toEqual({ '.dockerconfigjson': data('first') });
});

test('touched before every PUT: given up after four, nothing overwritten', async () => {
  const { kube, access, write } = await checked('acr-busy');
  let touches = 0;
  emulator().faults.inject({
    method: 'PUT',
    resource: 'secrets',
    name: 'acr-busy',
    times: Infinity,
    meanwhile: () => {
      touches++;
      const object = emulator().getObject('secrets', 'payments', 'acr-busy')!;
      emulator().seedObject('secrets', {
        ...object,
        metadata: annotate(`example.com/touch-${touches}`)(object.metadata),
      } as KubeObject);
    },
  });
  await expect(kube.write(access, write)).rejects.toMatchObject({ code: 'kubernetes.conflict' });
  expect(touches).toBe(4);
  expect(emulator().getObject('secrets', 'payments', 'acr-busy')!.data).toEqual({ '.dockerconfigjson': data('first') });
});

test('the write names what was checked: on an access the precheck never used, a touched secret is still replaced', async () => {
  const { kube, write, uid, cluster } = await checked('acr-fresh-access');
  touchBeforePut('acr-fresh-access', annotate('example.com/scanned'));
  const fresh = await kube.access(cluster);
  expect(await kube.write(fresh, write)).toMatchObject({ action: 'replaced', uid });
  const stored = emulator().getObject('secrets', 'payments', 'acr-fresh-access')!;
  expect(stored.data).toEqual({ '.dockerconfigjson': data('next') });
  expect(stored.metadata.annotations?.['example.com/scanned']).toBe('true');
});

test('a write that names no uid and label: a touched secret is not taken for the checked one, refused', async () => {
  const { kube, access, write } = await checked('acr-unnamed');
  touchBeforePut('acr-unnamed', annotate('example.com/scanned'));
  const { replaceUid: _uid, replaceRequestIdLabel: _label, ...unnamed } = write;
  await expect(kube.write(access, unnamed)).rejects.toMatchObject({ code: 'kubernetes.secretChanged' });
  expect(emulator().getObject('secrets', 'payments', 'acr-unnamed')!.data).toEqual({
    '.dockerconfigjson': data('first'),
  });
});

test('named with another request-id label than the secret carries: refused, left as it is', async () => {
  const { kube, access, write } = await checked('acr-other-label');
  touchBeforePut('acr-other-label', annotate('example.com/scanned'));
  await expect(kube.write(access, { ...write, replaceRequestIdLabel: 'r-0therccc' })).rejects.toMatchObject({
    code: 'kubernetes.secretChanged',
  });
  expect(emulator().getObject('secrets', 'payments', 'acr-other-label')!.data).toEqual({
    '.dockerconfigjson': data('first'),
  });
});

/** The secrets calls `emulator()` answered for `secretName`, in order (`GET`, `PUT`, …). */
const secretCalls = (secretName: string) =>
  emulator()
    .requests.filter((r) => r.path === `/api/v1/namespaces/payments/secrets/${secretName}`)
    .map((r) => r.method);

const OWNER = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  name: 'payments-api',
  uid: '7d1c3e0a-0000-4000-8000-0000000000aa',
  blockOwnerDeletion: true,
};

test("others' ownerReferences are kept on a replace, like their labels, annotations and finalizers", async () => {
  const { kube, access, write, uid } = await checked('acr-owned', {
    ownerReferences: [OWNER],
    finalizers: ['example.com/protect'],
  });
  expect(await kube.write(access, write)).toMatchObject({ action: 'replaced', uid });
  const stored = emulator().getObject('secrets', 'payments', 'acr-owned')!;
  expect(stored.data).toEqual({ '.dockerconfigjson': data('next') });
  expect(stored.metadata.ownerReferences).toEqual([OWNER]);
  expect(stored.metadata.finalizers).toEqual(['example.com/protect']);
});

test("the check's metadata: the first PUT is built from it without reading the secret again, others' additions kept", async () => {
  const { kube, cluster, write, existing } = await checked('acr-seen', {
    ownerReferences: [OWNER],
    finalizers: ['example.com/protect'],
    labels: { [REQUEST_ID_LABEL]: FIRST, [MANAGED_BY_LABEL]: 'acrbot', team: 'payments' },
    annotations: {
      'acrbot.io/request-id': FIRST,
      'example.com/scanned': 'true',
      'kubectl.kubernetes.io/last-applied-configuration': '{"data":{"old":"credential"}}',
    },
  });
  // What the check keeps: others' metadata, never the data nor kubectl's copy of it.
  expect(existing.metadata).toEqual({
    labels: { [REQUEST_ID_LABEL]: FIRST, [MANAGED_BY_LABEL]: 'acrbot', team: 'payments' },
    annotations: { 'acrbot.io/request-id': FIRST, 'example.com/scanned': 'true' },
    finalizers: ['example.com/protect'],
    ownerReferences: [OWNER],
  });
  const fresh = await kube.access(cluster);
  emulator().clearRequests();
  const result = await kube.write(fresh, { ...write, replaceMetadata: existing.metadata });
  expect(result).toMatchObject({ action: 'replaced', uid: existing.uid });
  expect(secretCalls('acr-seen')).toEqual(['PUT']);
  const stored = emulator().getObject('secrets', 'payments', 'acr-seen')!;
  expect(stored.data).toEqual({ '.dockerconfigjson': data('next') });
  expect(stored.metadata.labels).toEqual({ [REQUEST_ID_LABEL]: NEXT, [MANAGED_BY_LABEL]: 'acrbot', team: 'payments' });
  expect(stored.metadata.annotations).toEqual({ 'acrbot.io/request-id': NEXT, 'example.com/scanned': 'true' });
  expect(stored.metadata.finalizers).toEqual(['example.com/protect']);
  expect(stored.metadata.ownerReferences).toEqual([OWNER]);
});

test("the check's metadata, touched since: the 409 reads it again and replaces it, keeping the new annotation", async () => {
  const { kube, access, write, uid, existing } = await checked('acr-seen-touched');
  touchBeforePut('acr-seen-touched', annotate('example.com/scanned'));
  emulator().clearRequests();
  expect(await kube.write(access, { ...write, replaceMetadata: existing.metadata })).toMatchObject({
    action: 'replaced',
    uid,
  });
  expect(secretCalls('acr-seen-touched')).toEqual(['PUT', 'GET', 'PUT']);
  const stored = emulator().getObject('secrets', 'payments', 'acr-seen-touched')!;
  expect(stored.data).toEqual({ '.dockerconfigjson': data('next') });
  expect(stored.metadata.annotations?.['example.com/scanned']).toBe('true');
});

test('no metadata from the caller and the read before the replace fails: thrown, explained with its cause, nothing sent', async () => {
  const { kube, access, write } = await checked('acr-unread');
  emulator().faults.inject({ method: 'GET', resource: 'secrets', name: 'acr-unread', status: 500, times: 4 });
  emulator().clearRequests();
  const failure = await kube.write(access, write).then(
    () => undefined,
    (err: unknown) => err as Error & { code?: string },
  );
  expect(failure).toMatchObject({ code: 'kubernetes.failed' });
  expect(failure?.cause).toBeDefined();
  // Not replaced with acrbot's body alone (which would drop what others put there).
  // A read is retried on a 5xx (four sends in all), a write never.
  expect(secretCalls('acr-unread')).toEqual(['GET', 'GET', 'GET', 'GET']);
  expect(emulator().getObject('secrets', 'payments', 'acr-unread')!.data).toEqual({
    '.dockerconfigjson': data('first'),
  });
});
