/**
 * A 403 or 400 inside a cluster is not always a missing right: a namespace's ResourceQuota and a
 * policy engine's admission webhook (Gatekeeper's 403, Kyverno's 400) refuse too, and their fix
 * is the cluster owners', never the Role of docs/deploy.md. The sentence and the log line name
 * the quota or webhook from the fixed head of the API server's message, and nothing of the free
 * text after it, which may quote the secret sent.
 */
import { ApiException } from '@kubernetes/client-node';
import { type UserFacingError } from '../../src/domain/errors';
import { explainKubeError, type KubeCallContext } from '../../src/integrations/kubernetes/kube-errors';
import { withCorrelation } from '../../src/observability/correlation';

const PASSWORD = 'Sentinel+Pw/3f9a7c1e0b2d4f6a8c0e2g4i6k8m0o2q=';

/** A client-node ApiException as 1.x throws it: the Status body as raw response text. */
function apiError(code: number, status: Record<string, unknown>): ApiException<string> {
  return new ApiException(
    code,
    'Unknown API Status Code!',
    JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', ...status, code }),
    { 'content-type': 'application/json' },
  );
}

const create: KubeCallContext = { cluster: 'aks-prod', namespace: 'payments', verb: 'create', resource: 'secrets' };
const patchSa: KubeCallContext = { ...create, verb: 'patch', resource: 'serviceaccounts' };

/** The sentence and the cause (what the log line keeps) of `err` on `ctx`, under reference run-1. */
function explained(err: unknown, ctx: KubeCallContext = create): { error: UserFacingError; both: string } {
  const error = withCorrelation(() => explainKubeError(err, ctx), 'run-1');
  return { error, both: `${error.message}\n${(error.cause as Error).message}` };
}

const quota = (name: string) =>
  apiError(403, {
    reason: 'Forbidden',
    message: `secrets "acr-q" is forbidden: exceeded quota: ${name}, requested: count/secrets=1, used: count/secrets=10, limited: count/secrets=10`,
    details: { name: 'acr-q', kind: 'secrets' },
  });

const gatekeeper = (webhook = 'validation.gatekeeper.sh') =>
  apiError(403, {
    reason: 'Forbidden',
    message: `admission webhook "${webhook}" denied the request: [deny-dockerconfig-secrets] the password ${PASSWORD} must come from external-secrets`,
  });

/** Kyverno answers no code and no reason: the API server sends 400 with none. */
const kyverno = (reason?: string) =>
  apiError(400, {
    ...(reason ? { reason } : {}),
    message: `admission webhook "validate.kyverno.svc-fail" denied the request: policy Secret/payments/acr-k for resource violation: ${PASSWORD}`,
  });

describe('a ResourceQuota refusing the create', () => {
  test('names the quota and what to do, not a Role; the log line names it too, and nothing of the free text', () => {
    const { error, both } = explained(quota('secrets-quota'));
    expect(error.code).toBe('kubernetes.quotaExceeded');
    expect(error.message).toBe(
      'Namespace payments of cluster aks-prod is at the limit of its ResourceQuota secrets-quota, which allows no more ' +
        "secrets there, so acrbot could not create one; nothing was left behind. Ask the cluster's owners to raise " +
        'that quota, or remove secrets no longer used from the namespace, then ask for it again (the new request needs approving again).',
    );
    expect((error.cause as Error).message).toBe(
      'Kubernetes answered 403 Forbidden to create secrets in namespace payments of cluster aks-prod; refused by ' +
        'ResourceQuota secrets-quota; message withheld (a call on secrets may quote them)',
    );
    expect(both).not.toMatch(/RoleBinding|requested:|count\/secrets/);
  });

  test('a name not of a DNS-1123 shape (or too long) is not repeated', () => {
    for (const name of ['Secrets_Quota', PASSWORD, `q${'a'.repeat(253)}`]) {
      const { error, both } = explained(quota(name));
      expect(error.code).toBe('kubernetes.quotaExceeded');
      expect(error.message).toMatch(/^Namespace payments of cluster aks-prod is at the limit of a ResourceQuota,/);
      expect(both).not.toContain(name);
      expect(both).toContain('refused by ResourceQuota (name not of a valid shape)');
    }
  });
});

describe('an admission webhook refusing the call', () => {
  test('Gatekeeper (403): a policy of the cluster, refused the same way again; the log keeps the status and reason', () => {
    const { error, both } = explained(gatekeeper());
    expect(error.code).toBe('kubernetes.admissionDenied');
    expect(error.message).toBe(
      "A policy of cluster aks-prod (admission webhook validation.gatekeeper.sh) refused acrbot's create of secrets in " +
        "namespace payments; nothing was left behind. Asking again is refused the same way until the cluster's policy " +
        "allows it: ask the cluster's owners about it; the platform team can find the status and reason of the " +
        "cluster's answer in acrbot's logs under reference run-1 (not its message: it may quote the secret).",
    );
    expect((error.cause as Error).message).toBe(
      'Kubernetes answered 403 Forbidden to create secrets in namespace payments of cluster aks-prod; refused by ' +
        'admission webhook validation.gatekeeper.sh; message withheld (a call on secrets may quote them)',
    );
    expect(both).not.toMatch(/RoleBinding|deny-dockerconfig|external-secrets/);
    expect(both).not.toContain(PASSWORD);
  });

  test('Kyverno (400, with or without reason BadRequest): the same refusal, not "failed, ask again in a few minutes"', () => {
    for (const reason of [undefined, 'BadRequest']) {
      const { error, both } = explained(kyverno(reason));
      expect(error.code).toBe('kubernetes.admissionDenied');
      expect(error.message).toMatch(
        /^A policy of cluster aks-prod \(admission webhook validate\.kyverno\.svc-fail\) refused acrbot's create of secrets/,
      );
      expect(both).not.toMatch(/in a few minutes|find the details|HTTP 400/);
      expect(both).not.toContain(PASSWORD);
    }
  });

  test('on a service account (no secret in the call): the details are in the log, message and all', () => {
    const { error } = explained(kyverno(), patchSa);
    expect(error.code).toBe('kubernetes.admissionDenied');
    expect(error.message).toContain("refused acrbot's patch of serviceaccounts in namespace payments. Asking again");
    expect(error.message).toContain("the platform team can find the details in acrbot's logs under reference run-1.");
    expect((error.cause as Error).message).toContain('message: admission webhook "validate.kyverno.svc-fail" denied');
  });

  test("a webhook name not of a DNS-1123 shape is not repeated (it sits where the server's text could be anything)", () => {
    const { error, both } = explained(gatekeeper(PASSWORD));
    expect(error.code).toBe('kubernetes.admissionDenied');
    expect(error.message).toMatch(/^A policy of cluster aks-prod \(an admission webhook\) refused/);
    expect(both).not.toContain(PASSWORD);
  });

  test('a ValidatingAdmissionPolicy (403) is a policy of the cluster too', () => {
    const { error } = explained(
      apiError(403, {
        reason: 'Forbidden',
        message: `secrets "acr-v" is forbidden: ValidatingAdmissionPolicy 'no-dockerconfig.example.com' with binding 'all' denied request: ${PASSWORD}`,
      }),
    );
    expect(error.code).toBe('kubernetes.admissionDenied');
    expect(error.message).toMatch(
      /^A policy of cluster aks-prod \(ValidatingAdmissionPolicy no-dockerconfig\.example\.com\) refused/,
    );
    expect(error.message).not.toContain(PASSWORD);
  });
});

describe('the Role of docs/deploy.md is said only for a missing right', () => {
  test("the authorizer's 403 (also AKS's Azure RBAC one): the right and the Role", () => {
    for (const message of [
      'secrets is forbidden: User "acrbot" cannot create resource "secrets" in API group "" in the namespace "payments"',
      'secrets is forbidden: User "2b8e\\"x" cannot create resource "secrets" in API group "" in the namespace "payments": User does not have access to the resource in Azure. Update role assignment to allow access.',
    ]) {
      const { error, both } = explained(apiError(403, { reason: 'Forbidden', message }));
      expect(error.code).toBe('kubernetes.forbidden');
      expect(error.message).toMatch(
        /^acrbot may not create secrets in namespace payments of cluster aks-prod: its identity needs create on secrets there\. Ask the platform team to give it the Role and RoleBinding/,
      );
      expect(both).toContain("refused by the cluster's authorizer");
    }
  });

  test('a 403 of no shape acrbot knows: the right as the usual cause, a policy otherwise, and what the log keeps', () => {
    const { error } = explained(apiError(403, { reason: 'Forbidden', message: `something else: ${PASSWORD}` }));
    expect(error.code).toBe('kubernetes.forbidden');
    expect(error.message).toMatch(
      /^Cluster aks-prod refused acrbot's create of secrets in namespace payments \(403 Forbidden\) without naming a missing right or a policy; nothing was left behind\. The usual cause is that its identity lacks create on secrets there\./,
    );
    expect(error.message).toContain(
      "If it has that right, a policy of the cluster refused it, and the platform team can find the status and reason of the cluster's answer",
    );
    expect(error.message).not.toContain(PASSWORD);
  });
});

test('a plain 400 on secrets is a refusal (the same request is refused again), and no details are promised', () => {
  const { error } = explained(apiError(400, { reason: 'BadRequest', message: `bad: ${PASSWORD}` }));
  expect(error.code).toBe('kubernetes.failed');
  expect(error.message).toBe(
    "Cluster aks-prod refused acrbot's create of secrets in namespace payments as a bad request (HTTP 400); nothing " +
      'was left behind; the same request would be refused the same way, and the platform team can find the status ' +
      "and reason of the cluster's answer in acrbot's logs under reference run-1 (not its message: it may quote the secret).",
  );
});
