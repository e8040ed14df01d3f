/**
 * A failed Kubernetes call reaches the operator: the user-facing error keeps a cause the secret
 * runner logs once, and that cause holds nothing a Kubernetes answer may have quoted from the
 * request (the docker config, with its password). A 404 names what was missing.
 */
import { ApiException, type V1Secret } from '@kubernetes/client-node';
import { isUserFacing, UserFacingError } from '../../src/domain/errors';
import type { CreatedObject } from '../../src/domain/request';
import { SecretValue } from '../../src/domain/secret-value';
import { RunFailure, type RunContext } from '../../src/flows/executor';
import { SecretRunner, type SecretRunnerPorts } from '../../src/flows/secret-runner';
import { explainKubeError } from '../../src/integrations/kubernetes/kube-errors';
import { withCorrelation } from '../../src/observability/correlation';
import { KubePullSecrets } from '../../src/integrations/kubernetes/kube-pull-secrets';
import { LogCapture } from '../helpers/log-capture';
import { pendingRequest, REGISTRY_ID, secretPlan } from './support/requests';

const PASSWORD = 'Sentinel+Pw/3f9a7c1e0b2d4f6a8c0e2g4i6k8m0o2q=';
const ERROR_LEVEL = 50;

/** A client-node ApiException as 1.x throws it: the Status body as raw response text. */
function apiError(code: number, status: Record<string, unknown>): ApiException<string> {
  return new ApiException(code, 'Unknown API Status Code!', JSON.stringify({ kind: 'Status', code, ...status }), {
    'content-type': 'application/json',
  });
}

/** Causes and messages quoted from the body: what an admission webhook or a faulty server might send back. */
function echoingStatus(secret: V1Secret): Record<string, unknown> {
  const encoded = secret.data?.['.dockerconfigjson'] ?? '';
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const password = Object.values((JSON.parse(decoded) as { auths: Record<string, { password: string }> }).auths)[0]!
    .password;
  return {
    status: 'Failure',
    reason: 'Invalid',
    message: `admission webhook "policy.example" denied the request: password ${password} is weak; data[.dockerconfigjson]: Invalid value: "${encoded}": ${decoded}`,
    details: {
      name: 'acr-auth',
      kind: 'secrets',
      causes: [
        { reason: 'FieldValueInvalid', field: 'data[.dockerconfigjson]', message: `Invalid value: ${decoded}` },
        { reason: decoded, field: encoded, message: 'shape checks keep these out' },
      ],
    },
  };
}

/**
 * The secret runner over the real {@link KubePullSecrets.write}, with an API whose secret create
 * fails as `fail` says (given the body it was sent).
 */
function runnerWhoseCreateFails(fail: (body: V1Secret) => unknown, precheckFails?: unknown) {
  const kube = new KubePullSecrets(
    () => {
      throw new Error('not used');
    },
    { getToken: async () => null },
  );
  const api = {
    createNamespacedSecret: async ({ body }: { body: V1Secret }) => {
      throw fail(body);
    },
  };
  const ports = {
    tokens: {
      getScopeMap: async () => undefined,
      getToken: async () => undefined,
      scopeMapFor: async () => ({ id: `${REGISTRY_ID}/scopeMaps/_repositories_pull`, created: false }),
      createToken: async (_r: unknown, name: string) => ({ id: `${REGISTRY_ID}/tokens/${name}` }),
      generatePassword: async () => ({ username: 'acrbot-r-aaaaaaaa', password: new SecretValue(PASSWORD) }),
      deleteToken: async () => ({}),
      deleteScopeMap: async () => ({}),
    },
    kubernetes: {
      access: async () => ({ clusterName: 'aks-prod', api }),
      precheck: async () => {
        if (precheckFails) throw precheckFails;
        return {};
      },
      write: kube.write.bind(kube),
    },
    requests: { get: async () => undefined },
  } as unknown as SecretRunnerPorts;
  return new SecretRunner(
    ports,
    { delaysMs: [], sleep: async () => undefined },
    {
      reader: { getCluster: async () => ({ localAccountsDisabled: true }) } as never,
      allowLocalAccountClusters: false,
    },
    // The day the fixtures' plans were made: their credential expiry lies ahead.
    () => new Date('2025-01-15T09:00:00.000Z'),
  );
}

function context(logs: LogCapture): RunContext {
  const created: CreatedObject[] = [];
  return {
    requestId: 'R-UNITTEST',
    audit: async () => undefined,
    recordCreated: async (o) => {
      created.push({ ...o, recordedAt: '2025-01-15T09:00:00.000Z' });
    },
    created: () => [...created],
    log: logs.logger(),
  };
}

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the run to fail');
    },
    (err: unknown) => err,
  );
}

const request = () => pendingRequest({ id: 'R-AAAAAAAA', state: 'executing', plan: secretPlan() });
const errorLines = (logs: LogCapture) => logs.entries().filter((e) => e.level === ERROR_LEVEL);

describe('a failed secret write is logged once, with a cause that holds no secret', () => {
  test('a 422 whose body echoes the secret data: status and field logged, the data nowhere', async () => {
    let sent: V1Secret | undefined;
    const logs = new LogCapture();
    const err = await failureOf(
      runnerWhoseCreateFails((body) => {
        sent = body;
        return apiError(422, echoingStatus(body));
      }).run(request(), context(logs)),
    );
    expect(err).toBeInstanceOf(RunFailure);
    expect((err as RunFailure).outcome.errorCode).toBe('kubernetes.invalid');
    const encoded = sent!.data!['.dockerconfigjson']!;
    const decoded = Buffer.from(encoded, 'base64').toString('utf8');
    const auth = (JSON.parse(decoded) as { auths: Record<string, { auth: string }> }).auths['contosoacr.azurecr.io']!
      .auth;
    // The fake really did quote the secret back: the test would see a leak.
    expect(decoded).toContain(PASSWORD);

    // First the leak: nothing from the docker config anywhere in the logs or the outcome.
    const everything = logs.lines.join('') + JSON.stringify((err as RunFailure).outcome);
    for (const secret of [PASSWORD, encoded, decoded, auth, JSON.stringify(decoded).slice(1, -1)])
      expect(everything).not.toContain(secret);
    // Nor a piece of it (a truncated message would still hold the start of the base64).
    const pieces = [encoded, auth].flatMap((s) => Array.from({ length: s.length - 15 }, (_, i) => s.slice(i, i + 16)));
    expect(pieces.filter((p) => everything.includes(p))).toEqual([]);
    const lines = errorLines(logs);
    expect(lines).toHaveLength(1);
    const line = JSON.stringify(lines[0]);
    expect(line).toContain('Kubernetes answered 422 Invalid to create secrets in namespace payments');
    expect(line).toContain('data[.dockerconfigjson] FieldValueInvalid');
    expect(line).toContain('message withheld');
  });

  test('a 403 on the secret create is logged once with its status (the executor logs no user-facing error)', async () => {
    const logs = new LogCapture();
    await failureOf(
      runnerWhoseCreateFails(() =>
        apiError(403, {
          reason: 'Forbidden',
          message: 'secrets is forbidden: User "acrbot" cannot create resource "secrets"',
        }),
      ).run(request(), context(logs)),
    );
    const lines = errorLines(logs);
    expect(lines).toHaveLength(1);
    expect(JSON.stringify(lines[0])).toContain('Kubernetes answered 403 Forbidden to create secrets');
  });

  test('a cluster that fails at the precheck is logged once too', async () => {
    const logs = new LogCapture();
    const precheck = explainKubeError(
      Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), { code: 'ECONNREFUSED' }),
      {
        cluster: 'aks-prod',
        namespace: 'payments',
        verb: 'read',
        resource: 'the namespace',
      },
    );
    const err = await failureOf(
      runnerWhoseCreateFails(() => new Error('not reached'), precheck).run(request(), context(logs)),
    );
    expect(err).toBe(precheck);
    const lines = errorLines(logs);
    expect(lines).toHaveLength(1);
    expect(JSON.stringify(lines[0])).toContain('No Kubernetes answer to read the namespace');
    expect(JSON.stringify(lines[0])).toContain('connect ECONNREFUSED 10.0.0.1:443');
  });
});

describe('explainKubeError', () => {
  const ctx = { cluster: 'aks-prod', namespace: 'payments' };
  const notFound = apiError(404, { reason: 'NotFound', message: 'not found' });

  test('a 404 names what was missing: the service account on a patch, the namespace on a read or create', () => {
    const sa = explainKubeError(notFound, { ...ctx, verb: 'patch', resource: 'serviceaccounts' });
    expect(sa.code).toBe('kubernetes.notFound');
    expect(sa.message).toMatch(/^The service account acrbot was to patch no longer exists in namespace payments/);
    expect(sa.message).not.toMatch(/Namespace payments does not exist/);
    for (const call of [
      { verb: 'read', resource: 'the namespace' },
      { verb: 'create', resource: 'secrets' },
    ])
      expect(explainKubeError(notFound, { ...ctx, ...call }).message).toMatch(/^Namespace payments does not exist/);
    expect(explainKubeError(notFound, { ...ctx, verb: 'update', resource: 'secrets' }).message).toMatch(
      /^The secret acrbot was to update no longer exists/,
    );
  });

  test('an unreachable cluster: "nothing was left behind" only for a call whose failure changes nothing (not a delete or a patch)', () => {
    const down = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(explainKubeError(down, { ...ctx, verb: 'create', resource: 'secrets' }).message).toBe(
      'Cluster aks-prod could not be reached (no answer) while acrbot tried to create secrets in namespace ' +
        'payments; nothing was left behind; check that its API server is up and reachable from acrbot.',
    );
    expect(explainKubeError(down, { ...ctx, verb: 'delete', resource: 'secrets' }).message).toMatch(
      /while acrbot tried to delete secrets in namespace payments; check that its API server is up/,
    );
    expect(explainKubeError(down, { ...ctx, verb: 'patch', resource: 'serviceaccounts' }).message).not.toContain(
      'left behind',
    );
  });

  test('a 422 and an unknown status name the reference the logs carry and what to do; never "approve a new request"', () => {
    const invalid = apiError(422, { reason: 'Invalid', message: 'bad' });
    const call = { ...ctx, verb: 'create', resource: 'secrets' };
    expect(withCorrelation(() => explainKubeError(invalid, call).message, 'run-7')).toBe(
      // The log keeps no message of a call on secrets: the sentence promises what it keeps.
      'Cluster aks-prod refused the secrets as invalid; the platform team can find the status, reason and fields ' +
        "of the cluster's answer in acrbot's logs under reference run-7 (not its message: it may quote the secret). " +
        'Ask them to look before asking again: the same request would be refused the same way.',
    );
    expect(
      withCorrelation(() => explainKubeError(apiError(500, { reason: 'InternalError' }), call).message, 'run-8'),
    ).toBe(
      'Cluster aks-prod failed (HTTP 500) while acrbot tried to create secrets in namespace payments; nothing was ' +
        'left behind; this often passes within a few minutes, and if it keeps failing, the platform team can find the status ' +
        "and reason of the cluster's answer in acrbot's logs under reference run-8 (not its message: it may quote the secret).",
    );
    // Said to the requester, whose new request an approver approves: one wording for it.
    for (const err of [apiError(409, { reason: 'Conflict' }), notFound])
      expect(explainKubeError(err, { ...ctx, verb: 'patch', resource: 'serviceaccounts' }).message).toMatch(
        /ask for it again \(the new request needs approving again\)/,
      );
  });

  test('the cause keeps the Status message of calls that carry no secret, and never the raw error', () => {
    const raw = apiError(403, {
      reason: 'Forbidden',
      message: 'serviceaccounts "default" is forbidden: User "acrbot" cannot patch resource "serviceaccounts"',
    });
    const err = explainKubeError(raw, { ...ctx, verb: 'patch', resource: 'serviceaccounts' });
    expect(isUserFacing(err)).toBe(true);
    const cause = (err as UserFacingError).cause as Error;
    expect(cause.message).toBe(
      'Kubernetes answered 403 Forbidden to patch serviceaccounts in namespace payments of cluster aks-prod; ' +
        "refused by the cluster's authorizer; " +
        'message: serviceaccounts "default" is forbidden: User "acrbot" cannot patch resource "serviceaccounts"',
    );
    // ApiException's own message carries the body and the response headers.
    expect(cause.message).not.toContain('HTTP-Code');
    expect(cause.message).not.toContain('content-type');
  });
});

describe("the cluster's credentials not returned", () => {
  test('no code and no status: "(no answer)", what to do, and the reference', async () => {
    const kube = new KubePullSecrets(
      () => ({ managedClusters: { listClusterUserCredentials: async () => ({ kubeconfigs: [] }) } }) as never,
      { getToken: async () => null },
    );
    const cluster = { subscriptionId: 's', resourceGroup: 'rg', name: 'aks-prod', aadEnabled: true };
    const err = await withCorrelation(
      () =>
        kube.access(cluster).then(
          () => undefined,
          (e: unknown) => e,
        ),
      'run-9',
    );
    expect(err).toMatchObject({
      code: 'cluster.noCredentials',
      message:
        'Azure did not return credentials for cluster aks-prod (no answer); this often passes within a few minutes, and if it ' +
        "keeps failing, the platform team can find the details in acrbot's logs under reference run-9.",
    });
  });
});
