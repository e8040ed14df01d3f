/**
 * Wire-level behaviour of the Kubernetes emulator over raw HTTPS: exact Status bodies,
 * discovery, server-side Table printing, request validation order, the request log, faults
 * and shutdown. The client-node and kubectl suites cover the same server through real clients.
 */
import { request, type RequestOptions } from 'node:https';
import { KubernetesEmulator } from '../../src/sandbox/kubernetes';
import { createSandboxTls } from '../../src/sandbox/tls';

const TOKEN = 'tok-alice';
let k8s: KubernetesEmulator;

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any;
}

function call(
  method: string,
  path: string,
  opts: { token?: string | null; body?: unknown; contentType?: string; accept?: string } = {},
): Promise<Reply> {
  const url = new URL(k8s.url);
  const headers: Record<string, string> = {};
  const token = opts.token === undefined ? TOKEN : opts.token;
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  if (opts.contentType) headers['Content-Type'] = opts.contentType;
  if (opts.accept) headers.Accept = opts.accept;
  const payload =
    opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
  // Node sends a DELETE body chunked unless told its length; clients (client-node, kubectl) send the length.
  if (payload !== undefined && method === 'DELETE') headers['Content-Length'] = String(Buffer.byteLength(payload));
  const options: RequestOptions = { host: url.hostname, port: url.port, method, path, headers, ca: k8s.caPem };
  return new Promise((resolve, reject) => {
    const req = request(options, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

const secret = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name },
  type: 'Opaque',
  data: { k: 'dg==' },
  ...extra,
});

beforeAll(async () => {
  k8s = new KubernetesEmulator({
    tls: createSandboxTls(),
    tokens: { [TOKEN]: 'alice' },
    namespaces: ['default', 'kube-system', 'kube-public', 'apps'],
  });
  await k8s.start();
});

afterAll(async () => {
  await k8s.stop();
});

afterEach(() => {
  k8s.rbac.reset();
  k8s.faults.clear();
});

describe('authentication', () => {
  test('missing and unknown tokens get the exact 401 Status', async () => {
    for (const token of [null, 'bogus']) {
      const r = await call('GET', '/api/v1/namespaces/default/secrets', { token });
      expect(r.status).toBe(401);
      expect(r.text).toBe(
        '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}',
      );
      expect(r.headers['content-type']).toBe('application/json');
    }
  });

  test('/version is public; discovery is not', async () => {
    expect((await call('GET', '/version', { token: null })).json.gitVersion).toMatch(/^v1\.\d+\.\d+$/);
    expect((await call('GET', '/api', { token: null })).status).toBe(401);
  });

  test('tokens can be added and revoked at run time', async () => {
    k8s.addToken('late', 'bob');
    expect((await call('GET', '/api/v1/namespaces', { token: 'late' })).status).toBe(200);
    expect(k8s.requests.at(-1)?.user).toBe('bob');
    k8s.revokeToken('late');
    expect((await call('GET', '/api/v1/namespaces', { token: 'late' })).status).toBe(401);
  });
});

describe('discovery', () => {
  test('/api, /api/v1 and /apis describe the served resources', async () => {
    expect((await call('GET', '/api')).json).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    expect((await call('GET', '/apis')).json).toEqual({ kind: 'APIGroupList', apiVersion: 'v1', groups: [] });
    const v1 = (await call('GET', '/api/v1')).json;
    expect(v1.kind).toBe('APIResourceList');
    const byName = Object.fromEntries(v1.resources.map((r: { name: string }) => [r.name, r]));
    expect(byName.secrets).toMatchObject({
      namespaced: true,
      kind: 'Secret',
      verbs: expect.arrayContaining(['create', 'get', 'list', 'update', 'delete', 'patch']),
    });
    expect(byName.serviceaccounts).toMatchObject({
      namespaced: true,
      kind: 'ServiceAccount',
      shortNames: ['sa'],
      verbs: expect.arrayContaining(['patch']),
    });
    expect(byName.namespaces).toMatchObject({ namespaced: false, kind: 'Namespace', shortNames: ['ns'] });
  });

  test('unknown paths and resources are the generic 404', async () => {
    for (const path of ['/apis/apps/v1', '/api/v1/namespaces/default/pods', '/nope']) {
      const r = await call('GET', path);
      expect(r.status).toBe(404);
      expect(r.json).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'the server could not find the requested resource',
        reason: 'NotFound',
        details: {},
        code: 404,
      });
    }
  });
});

describe('content negotiation', () => {
  test('a protobuf Accept gets JSON', async () => {
    const r = await call('GET', '/api/v1/namespaces/default/serviceaccounts/default', {
      accept: 'application/vnd.kubernetes.protobuf, */*',
    });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.json).toMatchObject({
      kind: 'ServiceAccount',
      apiVersion: 'v1',
      metadata: { name: 'default', namespace: 'default' },
    });
  });

  test('as=Table gets a meta.k8s.io/v1 Table with kubectl columns', async () => {
    await call('POST', '/api/v1/namespaces/apps/secrets', { body: secret('tabled'), contentType: 'application/json' });
    const r = await call('GET', '/api/v1/namespaces/apps/secrets/tabled', {
      accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
    });
    expect(r.json.kind).toBe('Table');
    expect(r.json.apiVersion).toBe('meta.k8s.io/v1');
    expect(r.json.columnDefinitions.map((c: { name: string }) => c.name)).toEqual(['Name', 'Type', 'Data', 'Age']);
    expect(r.json.rows[0].cells.slice(0, 3)).toEqual(['tabled', 'Opaque', 1]);
    expect(r.json.rows[0].object).toMatchObject({ kind: 'PartialObjectMetadata', metadata: { name: 'tabled' } });
  });

  test('lists carry a resourceVersion and items without kind', async () => {
    const r = await call('GET', '/api/v1/namespaces/apps/secrets');
    expect(r.json).toMatchObject({
      kind: 'SecretList',
      apiVersion: 'v1',
      metadata: { resourceVersion: expect.stringMatching(/^\d+$/) },
    });
    expect(r.json.items[0].kind).toBeUndefined();
  });

  test('repeated slashes in the path are tolerated', async () => {
    expect((await call('GET', '//api//v1/namespaces/default')).json.metadata.name).toBe('default');
  });
});

describe('secrets over the wire', () => {
  test('create sets uid, increasing resourceVersion and creationTimestamp; delete answers a success Status', async () => {
    const a = (
      await call('POST', '/api/v1/namespaces/apps/secrets', { body: secret('wire-a'), contentType: 'application/json' })
    ).json;
    const b = (
      await call('POST', '/api/v1/namespaces/apps/secrets', { body: secret('wire-b'), contentType: 'application/json' })
    ).json;
    expect(Number(b.metadata.resourceVersion)).toBeGreaterThan(Number(a.metadata.resourceVersion));
    expect(a.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Object.keys(a).slice(0, 2)).toEqual(['kind', 'apiVersion']);
    const del = await call('DELETE', '/api/v1/namespaces/apps/secrets/wire-a');
    expect(del.status).toBe(200);
    expect(del.json).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name: 'wire-a', kind: 'secrets', uid: a.metadata.uid },
    });
    expect((await call('DELETE', '/api/v1/namespaces/apps/secrets/wire-a')).status).toBe(404);
  });

  test('DELETE with preconditions: a uid or resourceVersion that no longer matches is 409 Conflict and deletes nothing', async () => {
    const created = (
      await call('POST', '/api/v1/namespaces/apps/secrets', { body: secret('pre'), contentType: 'application/json' })
    ).json;
    const wrongUid = await call('DELETE', '/api/v1/namespaces/apps/secrets/pre', {
      body: { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: 'not-the-uid' } },
      contentType: 'application/json',
    });
    expect(wrongUid.status).toBe(409);
    expect(wrongUid.json).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'Conflict',
      code: 409,
      message: `Operation cannot be fulfilled on Secret "pre": the UID in the precondition (not-the-uid) does not match the UID in record (${created.metadata.uid}). The object might have been deleted and then recreated`,
      details: { name: 'pre', kind: 'Secret' },
    });
    const staleVersion = await call('DELETE', '/api/v1/namespaces/apps/secrets/pre', {
      body: { preconditions: { uid: created.metadata.uid, resourceVersion: '1' } },
      contentType: 'application/json',
    });
    expect(staleVersion.status).toBe(409);
    expect(staleVersion.json.message).toBe(
      `Operation cannot be fulfilled on Secret "pre": the ResourceVersion in the precondition (1) does not match the ResourceVersion in record (${created.metadata.resourceVersion}). The object might have been modified`,
    );
    expect((await call('GET', '/api/v1/namespaces/apps/secrets/pre')).status).toBe(200);
    const ok = await call('DELETE', '/api/v1/namespaces/apps/secrets/pre', {
      body: { preconditions: { uid: created.metadata.uid, resourceVersion: created.metadata.resourceVersion } },
      contentType: 'application/json',
    });
    expect(ok.status).toBe(200);
  });

  test('PUT whose body names another object is 400', async () => {
    await call('POST', '/api/v1/namespaces/apps/secrets', { body: secret('named'), contentType: 'application/json' });
    const r = await call('PUT', '/api/v1/namespaces/apps/secrets/named', {
      body: secret('other'),
      contentType: 'application/json',
    });
    expect(r.status).toBe(400);
    expect(r.json).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'the name of the object (other) does not match the name on the URL (named)',
      reason: 'BadRequest',
      code: 400,
    });
  });

  test('PUT without resourceVersion is an unconditional update', async () => {
    await call('POST', '/api/v1/namespaces/apps/secrets', { body: secret('uncond'), contentType: 'application/json' });
    const r = await call('PUT', '/api/v1/namespaces/apps/secrets/uncond', {
      body: secret('uncond', { data: { k: 'dzI=' } }),
      contentType: 'application/json',
    });
    expect(r.status).toBe(200);
    expect(r.json.data).toEqual({ k: 'dzI=' });
  });

  test('a PUT or PATCH that changes nothing keeps the resourceVersion', async () => {
    const created = (
      await call('POST', '/api/v1/namespaces/apps/secrets', { body: secret('noop'), contentType: 'application/json' })
    ).json;
    const put = (
      await call('PUT', '/api/v1/namespaces/apps/secrets/noop', { body: created, contentType: 'application/json' })
    ).json;
    expect(put.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
    const patched = (
      await call('PATCH', '/api/v1/namespaces/apps/secrets/noop', {
        body: { data: { k: 'dg==' } },
        contentType: 'application/strategic-merge-patch+json',
      })
    ).json;
    expect(patched.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
    const changed = (
      await call('PATCH', '/api/v1/namespaces/apps/secrets/noop', {
        body: { data: { k: 'dzI=' } },
        contentType: 'application/merge-patch+json',
      })
    ).json;
    expect(Number(changed.metadata.resourceVersion)).toBeGreaterThan(Number(created.metadata.resourceVersion));
  });

  test('changing a secret type on update is 422 (type is immutable)', async () => {
    await call('POST', '/api/v1/namespaces/apps/secrets', { body: secret('typed'), contentType: 'application/json' });
    const r = await call('PUT', '/api/v1/namespaces/apps/secrets/typed', {
      body: secret('typed', { type: 'kubernetes.io/tls', data: { 'tls.crt': 'eA==', 'tls.key': 'eA==' } }),
      contentType: 'application/json',
    });
    expect(r.status).toBe(422);
    expect(r.json.message).toBe(
      'Secret "typed" is invalid: type: Invalid value: "kubernetes.io/tls": field is immutable',
    );
  });

  test('data that is not base64 is a 400 before validation', async () => {
    const r = await call('POST', '/api/v1/namespaces/apps/secrets', {
      body: secret('b64', { data: { k: 'not base64!' } }),
      contentType: 'application/json',
    });
    expect(r.status).toBe(400);
    expect(r.json.message).toBe(
      'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 3',
    );
  });

  test('the body namespace must match the URL', async () => {
    const r = await call('POST', '/api/v1/namespaces/apps/secrets', {
      body: secret('nsmismatch', { metadata: { name: 'nsmismatch', namespace: 'default' } }),
      contentType: 'application/json',
    });
    expect(r.status).toBe(400);
    expect(r.json.message).toBe(
      'the namespace of the provided object does not match the namespace sent on the request',
    );
  });

  test('several validation errors are listed in brackets', async () => {
    const r = await call('POST', '/api/v1/namespaces/apps/secrets', {
      body: { metadata: { name: 'tls-x' }, type: 'kubernetes.io/tls', data: {} },
      contentType: 'application/json',
    });
    expect(r.status).toBe(422);
    expect(r.json.message).toBe(
      'Secret "tls-x" is invalid: [data[tls.crt]: Required value, data[tls.key]: Required value]',
    );
    expect(r.json.details.causes).toHaveLength(2);
  });

  test('a YAML or form body on create is 415', async () => {
    const r = await call('POST', '/api/v1/namespaces/apps/secrets', {
      body: 'a=b',
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(r.status).toBe(415);
    expect(r.json.reason).toBe('UnsupportedMediaType');
  });

  test('generateName and dryRun=All', async () => {
    const gen = await call('POST', '/api/v1/namespaces/apps/secrets', {
      body: { metadata: { generateName: 'acr-' }, data: {} },
      contentType: 'application/json',
    });
    expect(gen.json.metadata.name).toMatch(/^acr-[a-z0-9]{5}$/);
    const dry = await call('POST', '/api/v1/namespaces/apps/secrets?dryRun=All', {
      body: secret('dry'),
      contentType: 'application/json',
    });
    expect(dry.status).toBe(201);
    expect(k8s.getObject('secrets', 'apps', 'dry')).toBeUndefined();
  });

  test('label and field selectors filter lists', async () => {
    await call('POST', '/api/v1/namespaces/apps/secrets', {
      body: secret('lab', { metadata: { name: 'lab', labels: { app: 'acrbot' } } }),
      contentType: 'application/json',
    });
    const byLabel = await call('GET', '/api/v1/namespaces/apps/secrets?labelSelector=app%3Dacrbot');
    expect(byLabel.json.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(['lab']);
    const byField = await call('GET', '/api/v1/secrets?fieldSelector=metadata.name%3Dlab');
    expect(byField.json.items.map((i: { metadata: { namespace: string } }) => i.metadata.namespace)).toEqual(['apps']);
  });

  test('POST to a named path and PUT to a collection are 405', async () => {
    expect(
      (await call('POST', '/api/v1/namespaces/apps/secrets/x', { body: secret('x'), contentType: 'application/json' }))
        .status,
    ).toBe(405);
    expect(
      (await call('PUT', '/api/v1/namespaces/apps/secrets', { body: secret('x'), contentType: 'application/json' }))
        .status,
    ).toBe(405);
  });

  test('namespace names must be DNS-1123 labels', async () => {
    const r = await call('POST', '/api/v1/namespaces', {
      body: { metadata: { name: 'a.b' } },
      contentType: 'application/json',
    });
    expect(r.status).toBe(422);
    expect(r.json.message).toBe(
      `Namespace "a.b" is invalid: metadata.name: Invalid value: "a.b": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
    );
  });
});

describe('RBAC', () => {
  test('authorization runs before content checks, and cluster-scoped denials say so', async () => {
    k8s.rbac.deny({ resource: 'serviceaccounts', verb: 'patch' });
    const r = await call('PATCH', '/api/v1/namespaces/apps/serviceaccounts/default', {
      body: '{}',
      contentType: 'text/plain',
    });
    expect(r.status).toBe(403);
    k8s.rbac.deny({
      resource: 'namespaces',
      verb: 'list',
      reason: 'User does not have access to the resource in Azure. Update role assignment to allow access.',
    });
    const list = await call('GET', '/api/v1/namespaces');
    expect(list.json.message).toBe(
      'namespaces is forbidden: User "alice" cannot list resource "namespaces" in API group "" at the cluster scope: User does not have access to the resource in Azure. Update role assignment to allow access.',
    );
  });

  test('deny() returns an undo function', async () => {
    const undo = k8s.rbac.deny({ user: 'alice', namespace: 'apps', resource: 'secrets', verb: '*' });
    expect((await call('GET', '/api/v1/namespaces/apps/secrets')).status).toBe(403);
    undo();
    expect((await call('GET', '/api/v1/namespaces/apps/secrets')).status).toBe(200);
  });
});

describe('faults, log and lifecycle', () => {
  test('429 carries Retry-After; a fault with times:2 hits twice', async () => {
    k8s.faults.inject({
      method: 'GET',
      path: '/api/v1/namespaces/apps/secrets',
      status: 429,
      retryAfterSeconds: 1,
      times: 2,
    });
    const first = await call('GET', '/api/v1/namespaces/apps/secrets');
    expect(first.status).toBe(429);
    expect(first.headers['retry-after']).toBe('1');
    expect(first.json).toMatchObject({ reason: 'TooManyRequests', details: { retryAfterSeconds: 1 } });
    expect((await call('GET', '/api/v1/namespaces/apps/secrets')).status).toBe(429);
    expect((await call('GET', '/api/v1/namespaces/apps/secrets')).status).toBe(200);
  });

  test('a drop fault resets the connection', async () => {
    k8s.faults.inject({ resource: 'secrets', verb: 'list', drop: true });
    await expect(call('GET', '/api/v1/namespaces/apps/secrets')).rejects.toThrow(/socket hang up|ECONNRESET/);
  });

  test('the request log records method, path, content type, status and user', async () => {
    k8s.clearRequests();
    await call('PATCH', '/api/v1/namespaces/apps/serviceaccounts/default?fieldManager=x', {
      body: { metadata: { labels: { a: 'b' } } },
      contentType: 'application/merge-patch+json',
    });
    expect(k8s.requests).toEqual([
      {
        method: 'PATCH',
        path: '/api/v1/namespaces/apps/serviceaccounts/default',
        query: 'fieldManager=x',
        contentType: 'application/merge-patch+json',
        accept: undefined,
        status: 200,
        user: 'alice',
        body: { metadata: { labels: { a: 'b' } } },
      },
    ]);
  });

  test('kubeconfig pins the CA and never skips TLS verification', () => {
    const yaml = k8s.kubeconfig({ token: TOKEN, namespace: 'apps' });
    expect(yaml).toContain(`certificate-authority-data: ${Buffer.from(k8s.caPem).toString('base64')}`);
    expect(yaml).toContain(`server: "${k8s.url}"`);
    expect(yaml).toContain('token: "tok-alice"');
    expect(yaml).toContain('- name: "alice"');
    expect(yaml).not.toContain('insecure-skip-tls-verify');
  });

  test('stop() destroys a connection with a request still in flight instead of waiting for it', async () => {
    const other = new KubernetesEmulator({ tls: createSandboxTls(), tokens: { t: 'u' } });
    const { url } = await other.start();
    const { Agent } = await import('node:https');
    const agent = new Agent({ keepAlive: true, ca: other.caPem });
    // A request whose body never finishes keeps its connection busy (an idle one Node's
    // server.close() would drop anyway): stop() must destroy it, not wait for it.
    const busy = request(`${url}/api/v1/namespaces`, {
      agent,
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer t' },
    });
    const failed = new Promise<Error>((resolve) => busy.on('error', resolve));
    busy.write('{"apiVersion":');
    await new Promise((resolve) => busy.once('socket', (s) => s.once('secureConnect', resolve)));
    await other.stop();
    expect((await failed).message).toMatch(/socket hang up|ECONNRESET/);
    agent.destroy();
  });

  test('stop() ends an injected delay: a stopped emulator holds no timer (nothing keeps the process alive)', async () => {
    const other = new KubernetesEmulator({ tls: createSandboxTls(), tokens: { t: 'u' } });
    const { url } = await other.start();
    // "Never answers" for a minute; the delay is under way once the fault has been taken (the
    // emulator starts it in the same step), and `meanwhile` runs as soon as it ends.
    let delayEnded!: () => void;
    const ended = new Promise<void>((resolve) => (delayEnded = resolve));
    other.faults.inject({ delayMs: 60_000, times: 1, meanwhile: () => delayEnded() });
    const take = other.faults.take.bind(other.faults);
    const taken = new Promise<void>((resolve) => {
      jest.spyOn(other.faults, 'take').mockImplementation((target) => {
        const action = take(target);
        if (action) resolve();
        return action;
      });
    });
    const req = request(`${url}/api/v1/namespaces`, { ca: other.caPem, headers: { authorization: 'Bearer t' } });
    const failed = new Promise<Error>((resolve) => req.on('error', resolve));
    req.end();
    await taken;
    await other.stop();
    // Without stop() ending it, this waits the whole minute (and the test times out).
    await ended;
    expect((await failed).message).toMatch(/socket hang up|ECONNRESET/);
  });
});
