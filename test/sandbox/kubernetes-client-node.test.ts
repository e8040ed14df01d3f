/**
 * The Kubernetes emulator driven by the real @kubernetes/client-node@1.4.0 (what the bot uses),
 * over HTTPS with the CA pinned in the kubeconfig: success paths, the three PATCH flavours, and
 * the error bodies the bot has to handle (CONTRACTS.md §5).
 */
import {
  ApiException,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1Secret,
} from '@kubernetes/client-node';
import { KubernetesEmulator } from '../../src/sandbox/kubernetes';
import { createSandboxTls } from '../../src/sandbox/tls';

const BOT = 'tok-bot';
const OTHER = 'tok-other';

let k8s: KubernetesEmulator;

beforeAll(async () => {
  k8s = new KubernetesEmulator({
    tls: createSandboxTls(),
    tokens: { [BOT]: 'acrbot', [OTHER]: 'system:serviceaccount:x:y' },
    clusterName: 'aks-dev',
  });
  await k8s.start();
  k8s.createNamespace('apps');
});

afterAll(async () => {
  await k8s.stop();
});

afterEach(() => {
  k8s.rbac.reset();
  k8s.faults.clear();
});

function api(token = BOT): CoreV1Api {
  const kc = new KubeConfig();
  kc.loadFromString(k8s.kubeconfig({ token }));
  return kc.makeApiClient(CoreV1Api);
}

/** What `kubectl create secret docker-registry` sends (CONTRACTS §5): username, password, auth; no email. */
function dockerRegistrySecret(
  name: string,
  namespace: string,
  server: string,
  username: string,
  password: string,
): V1Secret {
  const auth = Buffer.from(`${username}:${password}`).toString('base64');
  const config = JSON.stringify({ auths: { [server]: { username, password, auth } } });
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/dockerconfigjson',
    metadata: { name, namespace },
    data: { '.dockerconfigjson': Buffer.from(config).toString('base64') },
  };
}

/** Awaits a call expected to fail; returns the ApiException code and the parsed Status body. */
async function failure(call: Promise<unknown>): Promise<{ code: number; body: Record<string, unknown> | undefined }> {
  try {
    await call;
  } catch (err) {
    expect(err).toBeInstanceOf(ApiException);
    const e = err as ApiException<unknown>;
    const body =
      typeof e.body === 'string'
        ? (JSON.parse(e.body) as Record<string, unknown>)
        : (e.body as Record<string, unknown> | undefined);
    return { code: e.code, body };
  }
  throw new Error('expected the call to fail');
}

describe('secrets', () => {
  test('create, read and replace round-trip a kubectl-style docker-registry secret', async () => {
    const core = api();
    const created = await core.createNamespacedSecret({
      namespace: 'apps',
      body: dockerRegistrySecret('acr-pull', 'apps', 'contosoacr.azurecr.io', 'app-id', 's3cret'),
    });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata?.creationTimestamp).toBeInstanceOf(Date);
    expect(created.type).toBe('kubernetes.io/dockerconfigjson');
    const rv1 = Number(created.metadata?.resourceVersion);

    const read = await core.readNamespacedSecret({ name: 'acr-pull', namespace: 'apps' });
    const config = JSON.parse(Buffer.from(read.data?.['.dockerconfigjson'] ?? '', 'base64').toString('utf8'));
    expect(config).toEqual({
      auths: {
        'contosoacr.azurecr.io': {
          username: 'app-id',
          password: 's3cret',
          auth: Buffer.from('app-id:s3cret').toString('base64'),
        },
      },
    });
    expect(Object.keys(config.auths['contosoacr.azurecr.io'])).toEqual(['username', 'password', 'auth']);

    const next = dockerRegistrySecret('acr-pull', 'apps', 'contosoacr.azurecr.io', 'app-id', 'rotated');
    next.metadata!.resourceVersion = read.metadata?.resourceVersion;
    const replaced = await core.replaceNamespacedSecret({ name: 'acr-pull', namespace: 'apps', body: next });
    expect(Number(replaced.metadata?.resourceVersion)).toBeGreaterThan(rv1);
    expect(replaced.metadata?.uid).toBe(created.metadata?.uid);

    const stored = k8s.getObject('secrets', 'apps', 'acr-pull');
    expect(Buffer.from((stored?.data as Record<string, string>)['.dockerconfigjson'], 'base64').toString()).toContain(
      '"password":"rotated"',
    );
    const posts = k8s.requests.filter((r) => r.path === '/api/v1/namespaces/apps/secrets');
    expect(posts.at(-1)).toMatchObject({ method: 'POST', status: 201, user: 'acrbot' });
  });

  test('a stale resourceVersion on replace is a 409 Conflict', async () => {
    const core = api();
    await core.createNamespacedSecret({
      namespace: 'apps',
      body: dockerRegistrySecret('stale', 'apps', 'contosoacr.azurecr.io', 'u', 'p'),
    });
    const body = dockerRegistrySecret('stale', 'apps', 'contosoacr.azurecr.io', 'u', 'p2');
    body.metadata!.resourceVersion = '1';
    const err = await failure(core.replaceNamespacedSecret({ name: 'stale', namespace: 'apps', body }));
    expect(err.code).toBe(409);
    expect(err.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message:
        'Operation cannot be fulfilled on secrets "stale": the object has been modified; please apply your changes to the latest version and try again',
      reason: 'Conflict',
      details: { name: 'stale', kind: 'secrets' },
      code: 409,
    });
  });

  test('create of an existing secret is 409 AlreadyExists with the exact Status body', async () => {
    const core = api();
    await core.createNamespacedSecret({
      namespace: 'apps',
      body: dockerRegistrySecret('dup', 'apps', 'contosoacr.azurecr.io', 'u', 'p'),
    });
    const err = await failure(
      core.createNamespacedSecret({
        namespace: 'apps',
        body: dockerRegistrySecret('dup', 'apps', 'contosoacr.azurecr.io', 'u', 'p'),
      }),
    );
    expect(err.code).toBe(409);
    expect(JSON.stringify(err.body)).toBe(
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"secrets \\"dup\\" already exists","reason":"AlreadyExists","details":{"name":"dup","kind":"secrets"},"code":409}',
    );
  });

  test('read and replace of a missing secret are 404 NotFound (PUT does not create)', async () => {
    const core = api();
    const read = await failure(core.readNamespacedSecret({ name: 'acr-missing', namespace: 'apps' }));
    expect(read.code).toBe(404);
    expect(read.body).toMatchObject({
      reason: 'NotFound',
      message: 'secrets "acr-missing" not found',
      details: { name: 'acr-missing', kind: 'secrets' },
    });
    const put = await failure(
      core.replaceNamespacedSecret({
        name: 'acr-missing',
        namespace: 'apps',
        body: dockerRegistrySecret('acr-missing', 'apps', 'a.azurecr.io', 'u', 'p'),
      }),
    );
    expect(put.code).toBe(404);
    expect(k8s.getObject('secrets', 'apps', 'acr-missing')).toBeUndefined();
  });

  test('create in a missing namespace is 404 namespaces "<ns>" not found', async () => {
    const err = await failure(
      api().createNamespacedSecret({
        namespace: 'nope',
        body: dockerRegistrySecret('acr-pull', 'nope', 'a.azurecr.io', 'u', 'p'),
      }),
    );
    expect(err.code).toBe(404);
    expect(JSON.stringify(err.body)).toBe(
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"namespaces \\"nope\\" not found","reason":"NotFound","details":{"name":"nope","kind":"namespaces"},"code":404}',
    );
  });

  test('a dockerconfigjson secret without .dockerconfigjson is 422 Invalid', async () => {
    const body: V1Secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/dockerconfigjson',
      metadata: { name: 'acr-pull' },
      data: { other: 'eA==' },
    };
    const err = await failure(api().createNamespacedSecret({ namespace: 'apps', body }));
    expect(err.code).toBe(422);
    expect(err.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Secret "acr-pull" is invalid: data[.dockerconfigjson]: Required value',
      reason: 'Invalid',
      details: {
        name: 'acr-pull',
        kind: 'Secret',
        causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'data[.dockerconfigjson]' }],
      },
      code: 422,
    });
  });

  test('a .dockerconfigjson that is not JSON is 422 with the contents redacted', async () => {
    const body: V1Secret = {
      type: 'kubernetes.io/dockerconfigjson',
      metadata: { name: 'bad-json' },
      data: { '.dockerconfigjson': Buffer.from('x-not-json').toString('base64') },
    };
    const err = await failure(api().createNamespacedSecret({ namespace: 'apps', body }));
    expect(err.code).toBe(422);
    expect(err.body?.message).toBe(
      `Secret "bad-json" is invalid: data[.dockerconfigjson]: Invalid value: "<secret contents redacted>": invalid character 'x' looking for beginning of value`,
    );
  });

  test('a name that is not a DNS-1123 subdomain is 422', async () => {
    const err = await failure(
      api().createNamespacedSecret({
        namespace: 'apps',
        body: { metadata: { name: 'Acr_Pull' }, stringData: { a: 'b' } },
      }),
    );
    expect(err.code).toBe(422);
    expect(err.body?.message).toBe(
      `Secret "Acr_Pull" is invalid: metadata.name: Invalid value: "Acr_Pull": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    );
  });

  test('stringData is folded into base64 data and not stored', async () => {
    const created = await api().createNamespacedSecret({
      namespace: 'apps',
      body: {
        metadata: { name: 'plain' },
        data: { keep: Buffer.from('k').toString('base64') },
        stringData: { token: 'hello' },
      },
    });
    expect(created.type).toBe('Opaque');
    expect(created.data).toEqual({ keep: 'aw==', token: Buffer.from('hello').toString('base64') });
    expect(created.stringData).toBeUndefined();
    expect(k8s.getObject('secrets', 'apps', 'plain')?.stringData).toBeUndefined();
  });
});

describe('authentication and authorization', () => {
  test('an unknown bearer token is 401 (client-node gives no body for 401)', async () => {
    const err = await failure(api('not-a-token').readNamespacedSecret({ name: 'x', namespace: 'apps' }));
    expect(err.code).toBe(401);
    expect(k8s.requests.at(-1)).toMatchObject({ status: 401, user: undefined });
  });

  test('a denied create is 403 with the authorizer message from CONTRACTS', async () => {
    k8s.rbac.deny({ user: 'system:serviceaccount:x:y', namespace: 'apps', resource: 'secrets', verb: 'create' });
    const err = await failure(
      api(OTHER).createNamespacedSecret({
        namespace: 'apps',
        body: dockerRegistrySecret('acr-pull', 'apps', 'a.azurecr.io', 'u', 'p'),
      }),
    );
    expect(err.code).toBe(403);
    expect(JSON.stringify(err.body)).toBe(
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"secrets is forbidden: User \\"system:serviceaccount:x:y\\" cannot create resource \\"secrets\\" in API group \\"\\" in the namespace \\"apps\\"","reason":"Forbidden","details":{"kind":"secrets"},"code":403}',
    );
    // Other users and other namespaces are unaffected.
    await expect(
      api(BOT).createNamespacedSecret({
        namespace: 'apps',
        body: dockerRegistrySecret('rbac-ok', 'apps', 'a.azurecr.io', 'u', 'p'),
      }),
    ).resolves.toBeDefined();
  });

  test('a denied named verb names the object in the message', async () => {
    k8s.rbac.deny({ namespace: 'default', resource: 'serviceaccounts', verb: ['get', 'patch'] });
    const err = await failure(api().readNamespacedServiceAccount({ name: 'default', namespace: 'default' }));
    expect(err.code).toBe(403);
    expect(err.body?.message).toBe(
      'serviceaccounts "default" is forbidden: User "acrbot" cannot get resource "serviceaccounts" in API group "" in the namespace "default"',
    );
    expect(err.body?.details).toEqual({ name: 'default', kind: 'serviceaccounts' });
  });
});

describe('patching the ServiceAccount', () => {
  const sa = (ns: string) => k8s.getObject('serviceaccounts', ns, 'default');

  test('client-node defaults to JSON Patch; add to /imagePullSecrets/- fails 422 when the list is missing', async () => {
    k8s.createNamespace('jp');
    const core = api();
    const err = await failure(
      core.patchNamespacedServiceAccount({
        name: 'default',
        namespace: 'jp',
        body: [{ op: 'add', path: '/imagePullSecrets/-', value: { name: 'acr-pull' } }],
      }),
    );
    expect(err.code).toBe(422);
    expect(err.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'the server rejected our request due to an error in our request',
      reason: 'Invalid',
      details: {},
      code: 422,
    });
    const log = k8s.requests.at(-1);
    expect(log).toMatchObject({ method: 'PATCH', contentType: 'application/json-patch+json', status: 422 });
    expect(log?.note).toBe('add operation does not apply: doc is missing path: "/imagePullSecrets/-": missing value');

    await core.patchNamespacedServiceAccount({
      name: 'default',
      namespace: 'jp',
      body: [{ op: 'add', path: '/imagePullSecrets', value: [{ name: 'acr-pull' }] }],
    });
    await core.patchNamespacedServiceAccount({
      name: 'default',
      namespace: 'jp',
      body: [
        { op: 'test', path: '/imagePullSecrets/0/name', value: 'acr-pull' },
        { op: 'add', path: '/imagePullSecrets/-', value: { name: 'second' } },
      ],
    });
    expect(sa('jp')?.imagePullSecrets).toEqual([{ name: 'acr-pull' }, { name: 'second' }]);

    const failedTest = await failure(
      core.patchNamespacedServiceAccount({
        name: 'default',
        namespace: 'jp',
        body: [{ op: 'test', path: '/imagePullSecrets/0/name', value: 'other' }],
      }),
    );
    expect(failedTest.code).toBe(422);

    await core.patchNamespacedServiceAccount({
      name: 'default',
      namespace: 'jp',
      body: [{ op: 'replace', path: '/imagePullSecrets/1', value: { name: 'third' } }],
    });
    await core.patchNamespacedServiceAccount({
      name: 'default',
      namespace: 'jp',
      body: [{ op: 'remove', path: '/imagePullSecrets/0' }],
    });
    expect(sa('jp')?.imagePullSecrets).toEqual([{ name: 'third' }]);
  });

  test('strategic merge (via setHeaderOptions) replaces imagePullSecrets: atomic on a ServiceAccount (no patchStrategy in core/v1, kubernetes/kubernetes#72475)', async () => {
    k8s.createNamespace('smp');
    const core = api();
    const smp = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
    await core.patchNamespacedServiceAccount(
      { name: 'default', namespace: 'smp', body: { imagePullSecrets: [{ name: 'existing' }] } },
      smp,
    );
    const rvBefore = sa('smp')?.metadata.resourceVersion;
    const out = await core.patchNamespacedServiceAccount(
      { name: 'default', namespace: 'smp', body: { imagePullSecrets: [{ name: 'acr-pull' }] } },
      smp,
    );
    expect(out.imagePullSecrets).toEqual([{ name: 'acr-pull' }]);
    // Re-applying the same patch is a no-op and does not bump the resourceVersion.
    const rvAfter = sa('smp')?.metadata.resourceVersion;
    await core.patchNamespacedServiceAccount(
      { name: 'default', namespace: 'smp', body: { imagePullSecrets: [{ name: 'acr-pull' }] } },
      smp,
    );
    expect(sa('smp')?.imagePullSecrets).toEqual([{ name: 'acr-pull' }]);
    expect(sa('smp')?.metadata.resourceVersion).toBe(rvAfter);
    expect(rvAfter).not.toBe(rvBefore);
    expect(k8s.requests.at(-1)?.contentType).toBe('application/strategic-merge-patch+json');
  });

  test('JSON merge patch replaces the list', async () => {
    k8s.createNamespace('mp');
    const core = api();
    const smp = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
    await core.patchNamespacedServiceAccount(
      { name: 'default', namespace: 'mp', body: { imagePullSecrets: [{ name: 'existing' }] } },
      smp,
    );
    const mp = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    const out = await core.patchNamespacedServiceAccount(
      { name: 'default', namespace: 'mp', body: { imagePullSecrets: [{ name: 'acr-pull' }] } },
      mp,
    );
    expect(out.imagePullSecrets).toEqual([{ name: 'acr-pull' }]);
  });

  test('any other Content-Type is 415', async () => {
    const err = await failure(
      api().patchNamespacedServiceAccount(
        { name: 'default', namespace: 'apps', body: { imagePullSecrets: [] } },
        setHeaderOptions('Content-Type', 'application/json'),
      ),
    );
    expect(err.code).toBe(415);
    expect(err.body).toMatchObject({
      reason: 'UnsupportedMediaType',
      message:
        'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json',
      code: 415,
    });
  });

  test('patching a missing ServiceAccount is 404', async () => {
    const err = await failure(
      api().patchNamespacedServiceAccount({
        name: 'nobody',
        namespace: 'apps',
        body: [{ op: 'add', path: '/imagePullSecrets', value: [] }],
      }),
    );
    expect(err.code).toBe(404);
    expect(err.body?.message).toBe('serviceaccounts "nobody" not found');
  });
});

describe('namespaces', () => {
  test('list, get and create; a new namespace gets a default ServiceAccount', async () => {
    const core = api();
    const names = (await core.listNamespace()).items.map((n) => n.metadata?.name);
    expect(names).toEqual(expect.arrayContaining(['default', 'kube-system', 'kube-public', 'apps']));
    const created = await core.createNamespace({ body: { metadata: { name: 'team-a' } } });
    expect(created.status?.phase).toBe('Active');
    expect((await core.readNamespace({ name: 'team-a' })).metadata?.labels).toEqual({
      'kubernetes.io/metadata.name': 'team-a',
    });
    expect((await core.readNamespacedServiceAccount({ name: 'default', namespace: 'team-a' })).metadata?.name).toBe(
      'default',
    );
  });
});

describe('faults', () => {
  test('an injected 503 reaches the client once, then requests succeed', async () => {
    k8s.faults.inject({ resource: 'secrets', verb: 'get', status: 503 });
    const err = await failure(api().readNamespacedSecret({ name: 'plain', namespace: 'apps' }));
    expect(err.code).toBe(503);
    expect(err.body).toMatchObject({ reason: 'ServiceUnavailable', code: 503 });
    await expect(api().readNamespacedSecret({ name: 'plain', namespace: 'apps' })).resolves.toBeDefined();
  });
});
