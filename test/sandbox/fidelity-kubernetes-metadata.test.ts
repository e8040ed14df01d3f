/**
 * The Kubernetes emulator refuses what a real API server (v1.31) refuses, with its Status bodies:
 * labels and annotations that ValidateObjectMeta rejects, Secret data keys IsConfigMapKey
 * rejects, a create carrying a resourceVersion, a PUT carrying another object's uid, a PATCH
 * changing the uid; and it accepts the docker configs the real server accepts (any JSON object).
 * Over raw HTTPS, so the exact bodies are what is checked.
 */
import { KubernetesEmulator } from '../../src/sandbox/kubernetes';
import { createSandboxTls } from '../../src/sandbox/tls';
import { kubeRawCall } from '../helpers/kube-raw-call';

const TOKEN = 'tok-fidelity';
let k8s: KubernetesEmulator;

const call = (method: string, path: string, body?: unknown, contentType?: string) =>
  kubeRawCall(k8s, TOKEN, method, path, body, contentType);

const SECRETS = '/api/v1/namespaces/apps/secrets';

const secret = (name: string, metadata: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, ...metadata },
  type: 'Opaque',
  data: { k: 'dg==' },
  ...extra,
});

const dockerSecret = (name: string, config: string) =>
  secret(
    name,
    {},
    { type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': Buffer.from(config).toString('base64') } },
  );

/** The 422 Invalid Status the real server sends for one field error. */
function invalidStatus(kind: string, name: string, field: string, reason: string, causeMessage: string) {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `${kind} "${name}" is invalid: ${field}: ${causeMessage}`,
    reason: 'Invalid',
    details: { name, kind, causes: [{ reason, message: causeMessage, field }] },
    code: 422,
  };
}

const LABEL_VALUE_RULE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

beforeAll(async () => {
  k8s = new KubernetesEmulator({ tls: createSandboxTls(), tokens: { [TOKEN]: 'acrbot' }, namespaces: ['apps'] });
  await k8s.start();
});
afterAll(() => k8s.stop());

describe('labels and annotations are validated as ValidateObjectMeta does', () => {
  test('a label value that is not a label (a raw id with "/") is 422 with the real message, and nothing is stored', async () => {
    const r = await call('POST', SECRETS, secret('bad-label', { labels: { 'acrbot.io/request-id': 'R-1/2' } }));
    expect(r.status).toBe(422);
    expect(r.json).toEqual(
      invalidStatus(
        'Secret',
        'bad-label',
        'metadata.labels',
        'FieldValueInvalid',
        `Invalid value: "R-1/2": ${LABEL_VALUE_RULE}`,
      ),
    );
    expect(k8s.getObject('secrets', 'apps', 'bad-label')).toBeUndefined();
  });

  test('a label value over 63 characters and a key with two "/" are refused; acrbot-style labels pass', async () => {
    const long = await call('POST', SECRETS, secret('long-label', { labels: { id: 'a'.repeat(64) } }));
    expect(long.status).toBe(422);
    expect(long.json.details.causes).toEqual([
      {
        reason: 'FieldValueInvalid',
        message: `Invalid value: "${'a'.repeat(64)}": must be no more than 63 characters`,
        field: 'metadata.labels',
      },
    ]);
    const key = await call('POST', SECRETS, secret('bad-key', { labels: { 'a/b/c': 'x' } }));
    expect(key.status).toBe(422);
    expect(key.json.details.causes[0].message).toBe(
      `Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    );
    const ok = await call(
      'POST',
      SECRETS,
      secret('good-labels', {
        labels: { 'acrbot.io/request-id': 'R-ABCD2345', 'app.kubernetes.io/managed-by': 'acrbot', empty: '' },
        annotations: { 'acrbot.io/request-id': 'R-ABCD2345', 'Acrbot.io/Registry': '/subscriptions/x: any text' },
      }),
    );
    expect(ok.status).toBe(201);
  });

  test('a label added by a patch is validated too (update path)', async () => {
    await call('POST', SECRETS, secret('patched-label'));
    const r = await call(
      'PATCH',
      `${SECRETS}/patched-label`,
      { metadata: { labels: { owner: 'team a' } } },
      'application/merge-patch+json',
    );
    expect(r.status).toBe(422);
    expect(r.json.message).toBe(
      `Secret "patched-label" is invalid: metadata.labels: Invalid value: "team a": ${LABEL_VALUE_RULE}`,
    );
    expect(k8s.getObject('secrets', 'apps', 'patched-label')?.metadata.labels).toBeUndefined();
  });

  test('annotation keys must be qualified names, and all annotations together at most 256 KiB', async () => {
    const key = await call('POST', SECRETS, secret('bad-annotation', { annotations: { 'has space': 'x' } }));
    expect(key.status).toBe(422);
    expect(key.json.details.causes).toEqual([
      {
        reason: 'FieldValueInvalid',
        message: `Invalid value: "has space": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
        field: 'metadata.annotations',
      },
    ]);
    const big = await call(
      'POST',
      SECRETS,
      secret('big-annotations', { annotations: { note: 'x'.repeat(256 * 1024) } }),
    );
    expect(big.status).toBe(422);
    expect(big.json.message).toBe(
      'Secret "big-annotations" is invalid: metadata.annotations: Too long: must have at most 262144 bytes',
    );
  });

  test('a label value that is not a string is a decode error (400), before validation', async () => {
    const r = await call('POST', SECRETS, secret('number-label', { labels: { n: 1 } }));
    expect(r.status).toBe(400);
    expect(r.json.message).toBe(
      'Secret in version "v1" cannot be handled as a Secret: json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string',
    );
  });

  test('every resource gets the same checks: a namespace with a bad label is 422', async () => {
    const r = await call('POST', '/api/v1/namespaces', { metadata: { name: 'labelled', labels: { tier: '-x' } } });
    expect(r.status).toBe(422);
    expect(r.json.details.kind).toBe('Namespace');
    expect(r.json.details.causes[0].field).toBe('metadata.labels');
  });
});

describe('Secret data keys follow IsConfigMapKey', () => {
  test('".", ".." and keys starting with ".." are refused, each with its own message', async () => {
    const dot = await call('POST', SECRETS, secret('dot-key', {}, { data: { '.': 'eA==' } }));
    expect(dot.status).toBe(422);
    expect(dot.json.details.causes).toEqual([
      { reason: 'FieldValueInvalid', message: `Invalid value: ".": must not be '.'`, field: 'data[.]' },
    ]);
    const up = await call('POST', SECRETS, secret('dotdot-key', {}, { data: { '..data': 'eA==' } }));
    expect(up.status).toBe(422);
    expect(up.json.message).toBe(
      `Secret "dotdot-key" is invalid: data[..data]: Invalid value: "..data": must not start with '..'`,
    );
    expect((await call('POST', SECRETS, secret('dot-ok', {}, { data: { '.dockercfg-like': 'eA==' } }))).status).toBe(
      201,
    );
  });
});

describe('a kubernetes.io/dockerconfigjson value only has to be a JSON object', () => {
  test('objects of any shape are accepted, as json.Unmarshal into map[string]interface{} accepts them', async () => {
    expect((await call('POST', SECRETS, dockerSecret('auths-string', '{"auths":"x"}'))).status).toBe(201);
    expect((await call('POST', SECRETS, dockerSecret('user-number', '{"auths":{"h":{"username":1}}}'))).status).toBe(
      201,
    );
    expect((await call('POST', SECRETS, dockerSecret('json-null', 'null'))).status).toBe(201);
  });

  test('a JSON value that is not an object is 422 with Go decoder text', async () => {
    const r = await call('POST', SECRETS, dockerSecret('array-config', '[]'));
    expect(r.status).toBe(422);
    expect(r.json.message).toBe(
      'Secret "array-config" is invalid: data[.dockerconfigjson]: Invalid value: "<secret contents redacted>": json: cannot unmarshal array into Go value of type map[string]interface {}',
    );
    const bool = await call('POST', SECRETS, dockerSecret('bool-config', 'true'));
    expect(bool.json.details.causes[0].message).toContain(
      'cannot unmarshal bool into Go value of type map[string]interface {}',
    );
  });
});

describe('uid and resourceVersion sent back are checked, not overwritten', () => {
  test('a create carrying a resourceVersion is the storage layer’s 500 (no reason), and stores nothing', async () => {
    const r = await call('POST', SECRETS, secret('with-rv', { resourceVersion: '1234' }));
    expect(r.status).toBe(500);
    expect(r.json).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'resourceVersion should not be set on objects to be created',
      code: 500,
    });
    expect(k8s.getObject('secrets', 'apps', 'with-rv')).toBeUndefined();
    // One it cannot parse as a number reads as unset, and the create goes ahead (kubernetes/kubernetes#113847).
    expect((await call('POST', SECRETS, secret('with-bad-rv', { resourceVersion: '-1' }))).status).toBe(201);
  });

  test('a PUT carrying the uid of a secret since deleted and made again is 409 Conflict and changes nothing', async () => {
    const first = (await call('POST', SECRETS, secret('recreated'))).json;
    await call('DELETE', `${SECRETS}/recreated`);
    const second = (await call('POST', SECRETS, secret('recreated'))).json;
    const stale = await call('PUT', `${SECRETS}/recreated`, {
      ...secret('recreated', { uid: first.metadata.uid }),
      data: { k: 'dzI=' },
    });
    expect(stale.status).toBe(409);
    expect(stale.json).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `Operation cannot be fulfilled on secrets "recreated": StorageError: invalid object, Code: 4, Key: /registry/secrets/apps/recreated, ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: UID in precondition: ${first.metadata.uid}, UID in object meta: ${second.metadata.uid}`,
      reason: 'Conflict',
      details: { name: 'recreated', kind: 'secrets' },
      code: 409,
    });
    expect(k8s.getObject('secrets', 'apps', 'recreated')?.data).toEqual({ k: 'dg==' });
    const own = await call('PUT', `${SECRETS}/recreated`, {
      ...secret('recreated', { uid: second.metadata.uid }),
      data: { k: 'dzI=' },
    });
    expect(own.status).toBe(200);
    expect(own.json.metadata.uid).toBe(second.metadata.uid);
  });

  test('a PATCH that changes the uid is 422 (metadata.uid is immutable)', async () => {
    await call('POST', SECRETS, secret('uid-patch'));
    const r = await call(
      'PATCH',
      `${SECRETS}/uid-patch`,
      { metadata: { uid: 'another-uid' } },
      'application/merge-patch+json',
    );
    expect(r.status).toBe(422);
    expect(r.json).toEqual(
      invalidStatus(
        'Secret',
        'uid-patch',
        'metadata.uid',
        'FieldValueInvalid',
        'Invalid value: "another-uid": field is immutable',
      ),
    );
  });
});
