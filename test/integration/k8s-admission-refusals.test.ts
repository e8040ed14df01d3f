/**
 * A cluster's own policies refusing acrbot, end to end through the sandbox's Kubernetes emulator
 * over HTTPS: a namespace's ResourceQuota on secrets and a policy engine's admission webhook
 * (Gatekeeper's 403, Kyverno's 400) are said as what they are on the outcome card, in the audit
 * entry and in the log line (named, never quoted: their free text may echo the secret), not as
 * a missing Role; a passing 5xx or a reset on a read is sent again, a write never. And the
 * emulator answers these refusals with the Status bodies a real API server sends.
 */
import { request as httpsRequest } from 'node:https';
import { UserFacingError } from '../../src/domain/errors';
import { KUBE_THROTTLE_ATTEMPTS, REQUEST_ID_LABEL } from '../../src/integrations/kubernetes/kube-pull-secrets';
import { SECRET_WRITE_UNCONFIRMED } from '../../src/domain/secret-ownership';
import { dockerConfig, useAksProd } from '../helpers/aks-prod-port';
import { cardText } from '../helpers/capturing-connector';
import { users } from '../helpers/harness';
import { actions, h, start, tokens, useLifecycleHooks } from '../helpers/lifecycle';

const ARGS = 'aks-dev contosoacr --namespace payments pull for payments-api';
const WITH_SA = 'aks-dev contosoacr --namespace payments --service-account default pull for payments-api';

/** Free text of a webhook's answer: must reach no card, audit entry or log line. */
const POLICY_TEXT = 'dockerconfigjson secrets must come from external-secrets';

describe('through the bot: the outcome card, the audit entry and the log line', () => {
  useLifecycleHooks();
  const k8s = () => h.app.sandbox!.kubernetes['aks-dev']!;

  /** Requests a secret with `args`, has it approved, and answers it once settled. */
  async function approved(args = ARGS) {
    const { id } = await h.requestSecret(users.requester, args);
    await h.click(users.approver, 'approve', { requestId: id });
    return { id, done: await h.settle(id) };
  }

  /** The text of the card telling the requester the request failed. */
  async function failureCard(): Promise<string> {
    const card = await h.connector.waitFor(
      (c) => /The request failed/.test(cardText(c.activity)),
      5000,
      'failure card',
    );
    return cardText(card.activity);
  }

  /** The log lines with message `msg`, as JSON text. */
  const logLines = (msg: string) =>
    h.logs
      .entries()
      .filter((e) => e.msg === msg)
      .map((e) => JSON.stringify(e));

  /** Everything a person or an operator can read about `id`: outcome, cards, audit, logs. */
  async function everything(id: string): Promise<string> {
    const request = await h.app.store.get(id);
    return [
      JSON.stringify(request?.outcome),
      ...h.connector.calls.map((c) => cardText(c.activity)),
      JSON.stringify(await h.app.audit.forRequest(id)),
      ...h.logs.lines,
    ].join('\n');
  }

  test('a ResourceQuota on secrets: the quota is named with its fix, not a Role; the credential is deleted again', async () => {
    await start();
    const secrets = k8s().listObjects('secrets', 'payments').length;
    k8s().admission.setQuota({ name: 'secrets-quota', namespace: 'payments', resource: 'secrets', limit: secrets });
    const before = tokens();
    const { id, done } = await approved();
    expect(done.state).toBe('failed');
    expect(done.outcome?.errorCode).toBe('kubernetes.quotaExceeded');
    expect(done.outcome?.cleanup).toBe('deleted');
    expect(tokens()).toEqual(before);
    const card = await failureCard();
    expect(card).toContain(
      'Namespace payments of cluster aks-dev is at the limit of its ResourceQuota secrets-quota, which allows no more secrets there',
    );
    expect(card).toContain("Ask the cluster's owners to raise that quota, or remove secrets no longer used");
    expect(card).toMatch(/deleted again/);
    const failed = (await h.app.audit.forRequest(id)).find((e) => e.action === 'request.failed');
    expect(failed?.detail).toContain('ResourceQuota secrets-quota');
    const lines = logLines('secret flow failed');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('Kubernetes answered 403 Forbidden to create secrets');
    expect(lines[0]).toContain('refused by ResourceQuota secrets-quota');
    const all = await everything(id);
    expect(all).not.toMatch(/RoleBinding|requested: count|limited: count/);
    expect(
      k8s()
        .requests.filter((r) => r.method === 'POST')
        .map((r) => r.status),
    ).toEqual([403]);
  });

  test("Gatekeeper's webhook refusing the secret (403): a policy of the cluster, refused the same way again; its text nowhere", async () => {
    await start();
    k8s().admission.denyByWebhook({
      webhook: 'validation.gatekeeper.sh',
      resource: 'secrets',
      message: `[deny-dockerconfig-secrets] ${POLICY_TEXT}`,
    });
    const { id, done } = await approved();
    expect(done.state).toBe('failed');
    expect(done.outcome?.errorCode).toBe('kubernetes.admissionDenied');
    expect(done.outcome?.cleanup).toBe('deleted');
    const card = await failureCard();
    expect(card).toContain(
      "A policy of cluster aks-dev (admission webhook validation.gatekeeper.sh) refused acrbot's create of secrets in namespace payments",
    );
    expect(card).toContain("Asking again is refused the same way until the cluster's policy allows it");
    // The log keeps no message of a call on secrets: the card promises what it does keep.
    expect(card).toContain("the platform team can find the status and reason of the cluster's answer in acrbot's logs");
    expect(card).not.toContain('find the details');
    expect(logLines('secret flow failed').join('\n')).toContain(
      'refused by admission webhook validation.gatekeeper.sh',
    );
    const all = await everything(id);
    expect(all).not.toContain(POLICY_TEXT);
    expect(all).not.toMatch(/deny-dockerconfig-secrets|RoleBinding/);
  });

  test("Kyverno's webhook refusing the service account patch (400, no reason): the secret stays, the note and the audit say the policy refused", async () => {
    await start();
    k8s().admission.denyByWebhook({
      webhook: 'validate.kyverno.svc-fail',
      code: 0,
      resource: 'serviceaccounts',
      message: 'policy ServiceAccount/payments/default for resource violation: no-image-pull-secrets',
    });
    const { id, done } = await approved(WITH_SA);
    expect(done.state).toBe('succeeded');
    const note =
      "Not added to service account default: A policy of cluster aks-dev (admission webhook validate.kyverno.svc-fail) refused acrbot's patch of serviceaccounts in namespace payments. Asking again is refused the same way until the cluster's policy allows it";
    expect(done.outcome?.summary).toContain(note);
    expect(done.outcome?.summary).not.toMatch(/in a few minutes|HTTP 400/);
    const entry = (await h.app.audit.forRequest(id)).find((e) => e.action === 'kubernetes.write.serviceAccount');
    expect(entry).toMatchObject({ outcome: 'failed' });
    expect(entry?.detail).toMatch(/^A policy of cluster aks-dev \(admission webhook validate\.kyverno\.svc-fail\)/);
    const lines = logLines('the secret was written; adding it to the service account failed');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('Kubernetes answered 400 to patch serviceaccounts');
    expect(lines[0]).toContain('refused by admission webhook validate.kyverno.svc-fail');
    expect(k8s().getObject('secrets', 'payments', 'acr-auth')).toBeDefined();
    expect(
      k8s()
        .requests.filter((r) => r.method === 'PATCH')
        .map((r) => r.status),
    ).toEqual([400]);
  });

  test("a missing right is still said as one: the authorizer's 403 names the Role", async () => {
    await start();
    k8s().rbac.deny({ namespace: 'payments', resource: 'secrets', verb: 'create' });
    const { id, done } = await approved();
    expect(done.outcome?.errorCode).toBe('kubernetes.forbidden');
    expect(done.outcome?.error).toMatch(/^acrbot may not create secrets in namespace payments of cluster aks-dev/);
    expect(done.outcome?.error).toContain('Role and RoleBinding of docs/deploy.md');
    expect(await actions(id)).toContain('request.failed:failed');
  });

  test('the API server passing a 503 with Retry-After on the check: read again, and the approved request goes through', async () => {
    await start();
    k8s().faults.inject({ method: 'GET', resource: 'namespaces', name: 'payments', status: 503, retryAfterSeconds: 1 });
    const { id, done } = await approved();
    expect(done.state).toBe('succeeded');
    const reads = k8s().requests.filter((r) => r.method === 'GET' && r.path === '/api/v1/namespaces/payments');
    expect(reads.slice(0, 2).map((r) => r.status)).toEqual([503, 200]);
    expect(await actions(id)).toContain('kubernetes.write.secret:created');
  });
});

describe('the port: reads are sent again, writes never', () => {
  const { emulator, port } = useAksProd();
  const input = (name: string) => ({
    namespace: 'payments',
    secretName: name,
    dockerConfigJson: dockerConfig('p'),
    labels: { [REQUEST_ID_LABEL]: 'R-RETRY001' },
    annotations: {},
  });
  const calls = (method: string, name: string) =>
    emulator()
      .requests.filter((r) => r.method === method && r.path.endsWith(`/secrets${method === 'POST' ? '' : `/${name}`}`))
      .map((r) => r.status);

  test("a reset connection on the check's read: read again", async () => {
    const { kube, access } = await port({ throttleWaitMs: 10 });
    emulator().faults.inject({ method: 'GET', resource: 'secrets', name: 'acr-reset', drop: true });
    emulator().clearRequests();
    await expect(kube.precheck(access, { namespace: 'payments', secretName: 'acr-reset' })).resolves.toEqual({});
    expect(calls('GET', 'acr-reset')).toEqual([0, 404]);
  });

  test('a read that keeps failing (500, 502, 504) fails after the same number of sends as a throttled call', async () => {
    const { kube, access } = await port({ throttleWaitMs: 10 });
    for (const status of [500, 502, 504]) {
      const undo = emulator().faults.inject({ method: 'GET', resource: 'secrets', status, times: Infinity });
      emulator().clearRequests();
      const err = await kube.precheck(access, { namespace: 'payments', secretName: 'acr-down' }).then(
        () => undefined,
        (e: unknown) => e,
      );
      undo();
      expect(err).toBeInstanceOf(UserFacingError);
      expect(err).toMatchObject({ code: 'kubernetes.failed', message: expect.stringContaining(`(HTTP ${status})`) });
      expect(calls('GET', 'acr-down')).toEqual(Array(KUBE_THROTTLE_ATTEMPTS).fill(status));
    }
  });

  test('a create answered 503 is never sent again (its secret is read back instead)', async () => {
    const { kube, access } = await port({ throttleWaitMs: 10 });
    emulator().faults.inject({ method: 'POST', resource: 'secrets', status: 503, retryAfterSeconds: 1 });
    emulator().clearRequests();
    const err = await kube.write(access, input('acr-once')).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: SECRET_WRITE_UNCONFIRMED });
    expect(calls('POST', 'acr-once')).toEqual([503]);
    expect(calls('GET', 'acr-once')).toEqual([404]);
  });

  test('a secret made by someone else meanwhile: asking again needs a new approval, and the sentence says so', async () => {
    const { kube, access } = await port({ throttleWaitMs: 10 });
    emulator().faults.inject({
      method: 'POST',
      resource: 'secrets',
      meanwhile: () =>
        emulator().seedObject('secrets', {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'acr-taken', namespace: 'payments' },
          type: 'Opaque',
          data: { k: 'dg==' },
        }),
    });
    const err = await kube.write(access, input('acr-taken')).then(
      () => undefined,
      (e: unknown) => e,
    );
    emulator().deleteObject('secrets', 'payments', 'acr-taken');
    expect(err).toMatchObject({
      code: 'kubernetes.secretChanged',
      message: expect.stringMatching(
        /Ask for it again to check it afresh \(the new request needs approving again\)\.$/,
      ),
    });
  });

  test('a service account patch answered 503 is never sent again either', async () => {
    const { kube, access } = await port({ throttleWaitMs: 10 });
    emulator().faults.inject({ method: 'PATCH', resource: 'serviceaccounts', status: 503 });
    emulator().clearRequests();
    const out = await kube.write(access, { ...input('acr-sa-once'), serviceAccount: 'default' });
    expect(out.serviceAccountFailure).toBeDefined();
    expect(
      emulator()
        .requests.filter((r) => r.method === 'PATCH')
        .map((r) => r.status),
    ).toEqual([503]);
  });
});

describe("the emulator's refusals are the API server's Status bodies", () => {
  const { emulator } = useAksProd();
  const TOKEN = 'admission-refusals-test';
  beforeAll(() => emulator().addToken(TOKEN, 'tester'));
  afterEach(() => emulator().admission.clear());

  /** One raw HTTPS call to the emulator: the status and the body's text as sent. */
  function send(method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        new URL(path, emulator().url),
        {
          method,
          ca: emulator().caPem,
          agent: false,
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode!, text }));
        },
      );
      req.on('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  }
  const secret = (name: string) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name },
    type: 'Opaque',
    data: { k: 'dg==' },
  });
  const SECRETS = '/api/v1/namespaces/payments/secrets';

  test('a ResourceQuota at its limit: 403 Forbidden from the quota admission, below it the create goes through', async () => {
    const used = emulator().listObjects('secrets', 'payments').length;
    emulator().admission.setQuota({
      name: 'secrets-quota',
      namespace: 'payments',
      resource: 'secrets',
      limit: used + 1,
    });
    expect((await send('POST', SECRETS, secret('quota-fits'))).status).toBe(201);
    const refused = await send('POST', SECRETS, secret('quota-over'));
    expect(refused.status).toBe(403);
    const count = `count/secrets`;
    expect(refused.text).toBe(
      JSON.stringify({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `secrets "quota-over" is forbidden: exceeded quota: secrets-quota, requested: ${count}=1, used: ${count}=${used + 1}, limited: ${count}=${used + 1}`,
        reason: 'Forbidden',
        details: { name: 'quota-over', kind: 'secrets' },
        code: 403,
      }),
    );
    expect(emulator().getObject('secrets', 'payments', 'quota-over')).toBeUndefined();
    emulator().deleteObject('secrets', 'payments', 'quota-fits');
  });

  test("webhooks: Gatekeeper's 403 Forbidden, Kyverno's 400 with no reason; only the operations they name", async () => {
    emulator().admission.denyByWebhook({
      webhook: 'validation.gatekeeper.sh',
      resource: 'secrets',
      message: '[deny-dockerconfig-secrets] no',
    });
    const gatekeeper = await send('POST', SECRETS, secret('webhook-g'));
    expect(gatekeeper.status).toBe(403);
    expect(gatekeeper.text).toBe(
      JSON.stringify({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'admission webhook "validation.gatekeeper.sh" denied the request: [deny-dockerconfig-secrets] no',
        reason: 'Forbidden',
        code: 403,
      }),
    );
    emulator().admission.clear();
    emulator().admission.denyByWebhook({ webhook: 'validate.kyverno.svc-fail', code: 0, operations: ['UPDATE'] });
    expect((await send('POST', SECRETS, secret('webhook-k'))).status).toBe(201);
    const kyverno = await send('PUT', `${SECRETS}/webhook-k`, secret('webhook-k'));
    expect(kyverno.text).toBe(
      JSON.stringify({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'admission webhook "validate.kyverno.svc-fail" denied the request without explanation',
        code: 400,
      }),
    );
    emulator().deleteObject('secrets', 'payments', 'webhook-k');
  });

  test("an injected 403 is the authorizer's Forbidden, an injected 400 BadRequest", async () => {
    emulator().faults.inject({ method: 'GET', resource: 'secrets', status: 403 });
    const forbidden = JSON.parse((await send('GET', `${SECRETS}/acr-x`)).text);
    expect(forbidden).toMatchObject({
      reason: 'Forbidden',
      code: 403,
      message:
        'secrets "acr-x" is forbidden: User "tester" cannot get resource "secrets" in API group "" in the namespace "payments"',
    });
    emulator().faults.inject({ method: 'GET', resource: 'secrets', status: 400 });
    expect(JSON.parse((await send('GET', `${SECRETS}/acr-x`)).text)).toMatchObject({ reason: 'BadRequest', code: 400 });
  });
});
