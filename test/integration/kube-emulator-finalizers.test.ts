/**
 * The Kubernetes emulator's deletion of an object with finalizers, as the real API server does
 * it: the DELETE answers 200 with the object, now marked (`metadata.deletionTimestamp`), which
 * stays until an update leaves it no finalizer; no new finalizer can be added meanwhile. The mark
 * is a write (a new resourceVersion), so an update conditional on an earlier version is 409
 * Conflict. Over raw HTTPS, so the wire answers themselves are pinned.
 */
import { KubernetesEmulator } from '../../src/sandbox/kubernetes';
import { createSandboxTls } from '../../src/sandbox/tls';
import { kubeRawCall } from '../helpers/kube-raw-call';

const TOKEN = 'tok-fin';
let k8s: KubernetesEmulator;

beforeAll(async () => {
  k8s = new KubernetesEmulator({ tls: createSandboxTls(), tokens: { [TOKEN]: 'alice' }, namespaces: ['apps'] });
  await k8s.start();
});
afterAll(() => k8s.stop());

const call = (method: string, path: string, body?: unknown, contentType?: string) =>
  kubeRawCall(k8s, TOKEN, method, path, body, contentType);

const SECRETS = '/api/v1/namespaces/apps/secrets';

async function heldSecret(name: string) {
  const created = await call('POST', SECRETS, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, finalizers: ['example.com/hold'] },
    type: 'Opaque',
    data: { k: 'dg==' },
  });
  expect(created.status).toBe(201);
  return created.json;
}

test('a DELETE of an object with finalizers answers 200 with it, marked, and keeps it', async () => {
  await heldSecret('held');
  const deleted = await call('DELETE', `${SECRETS}/held`);
  expect(deleted.status).toBe(200);
  expect(deleted.json.kind).toBe('Secret');
  expect(deleted.json.metadata.deletionTimestamp).toEqual(expect.any(String));
  expect(deleted.json.metadata.deletionGracePeriodSeconds).toBe(0);
  const read = await call('GET', `${SECRETS}/held`);
  expect(read.status).toBe(200);
  expect(read.json.metadata.deletionTimestamp).toBe(deleted.json.metadata.deletionTimestamp);
  // A second delete changes nothing.
  const again = await call('DELETE', `${SECRETS}/held`);
  expect(again.status).toBe(200);
  expect(again.json.metadata.resourceVersion).toBe(deleted.json.metadata.resourceVersion);
});

test('an update that leaves no finalizer deletes it', async () => {
  await heldSecret('released');
  await call('DELETE', `${SECRETS}/released`);
  const patched = await call(
    'PATCH',
    `${SECRETS}/released`,
    [{ op: 'remove', path: '/metadata/finalizers' }],
    'application/json-patch+json',
  );
  expect(patched.status).toBe(200);
  expect((await call('GET', `${SECRETS}/released`)).status).toBe(404);
});

test('a PUT keeps the mark, and no new finalizer may be added while it is being deleted', async () => {
  await heldSecret('marked');
  const { json: marked } = await call('DELETE', `${SECRETS}/marked`);
  const { deletionTimestamp: _dropped, ...withoutMark } = marked.metadata;
  const put = await call('PUT', `${SECRETS}/marked`, { ...marked, metadata: withoutMark, data: { k: 'dw==' } });
  expect(put.status).toBe(200);
  expect(put.json.metadata.deletionTimestamp).toBe(marked.metadata.deletionTimestamp);
  const added = await call(
    'PATCH',
    `${SECRETS}/marked`,
    [{ op: 'add', path: '/metadata/finalizers/-', value: 'example.com/another' }],
    'application/json-patch+json',
  );
  expect(added.status).toBe(422);
  expect(added.json.message).toContain('no new finalizers can be added if the object is being deleted');
});

test('the mark is a write: a new resourceVersion, so a PUT at the version read before it is 409 Conflict', async () => {
  const before = await heldSecret('raced');
  const { json: marked } = await call('DELETE', `${SECRETS}/raced`);
  expect(marked.metadata.resourceVersion).not.toBe(before.metadata.resourceVersion);
  const stale = await call('PUT', `${SECRETS}/raced`, { ...before, data: { k: 'dw==' } });
  expect(stale.status).toBe(409);
  expect(stale.json).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Conflict', code: 409 });
  // At the marked version it lands, and the answer keeps the mark (what a client must look at).
  const current = await call('PUT', `${SECRETS}/raced`, { ...marked, data: { k: 'dw==' } });
  expect(current.status).toBe(200);
  expect(current.json.metadata.deletionTimestamp).toBe(marked.metadata.deletionTimestamp);
});

test("deleteAsClient (a test's stand-in for another client's DELETE) marks and removes as the DELETE does", async () => {
  const before = await heldSecret('by-hook');
  const marked = k8s.deleteAsClient('secrets', 'apps', 'by-hook')!;
  expect(marked.metadata.deletionTimestamp).toEqual(expect.any(String));
  expect(marked.metadata.resourceVersion).not.toBe(before.metadata.resourceVersion);
  expect((await call('GET', `${SECRETS}/by-hook`)).json.metadata.deletionTimestamp).toBe(
    marked.metadata.deletionTimestamp,
  );
  await call('POST', SECRETS, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'plain-hook' }, type: 'Opaque' });
  expect(k8s.deleteAsClient('secrets', 'apps', 'plain-hook')).toBeUndefined();
  expect((await call('GET', `${SECRETS}/plain-hook`)).status).toBe(404);
  expect(k8s.deleteAsClient('secrets', 'apps', 'never-there')).toBeUndefined();
});

test('without finalizers a DELETE removes it and answers a Status, as before', async () => {
  await call('POST', SECRETS, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'plain' }, type: 'Opaque' });
  const deleted = await call('DELETE', `${SECRETS}/plain`);
  expect(deleted.status).toBe(200);
  expect(deleted.json.kind).toBe('Status');
  expect((await call('GET', `${SECRETS}/plain`)).status).toBe(404);
});
