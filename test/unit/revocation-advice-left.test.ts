/**
 * What the approvers' report of a failing revocation says when what ends the access is gone
 * already (a scope map, an application without rights, a pull secret without a credential is
 * left), when Microsoft Graph refused, and how a refusal's answer names the denied action and
 * the request id.
 */
import { answerForApprovers } from '../../src/composition/scheduler';
import { UserFacingError } from '../../src/domain/errors';
import { CloudApiError } from '../../src/domain/ports';
import type { AccessRequest } from '../../src/domain/request';
import { encodeCredentialRef } from '../../src/domain/secret-credential';
import { revocationAdvice } from '../../src/flows/azure-failure-text';
import { leftBehind, scopeMapLeft, secretLeft } from '../../src/flows/revocation-left';

const TOKEN_REF = {
  kind: 'token' as const,
  subscriptionId: 's1',
  resourceGroup: 'rg-acr',
  registry: 'contosoacr',
  tokenName: 'acrbot-r-7',
  scopeMapName: 'acrbot-r-7',
};
const token = { plan: { kind: 'secret' }, outcome: { credentialRef: encodeCredentialRef(TOKEN_REF) } } as AccessRequest;
const sp = {
  plan: { kind: 'secret' },
  outcome: { credentialRef: encodeCredentialRef({ kind: 'sp', applicationId: 'app-object-1', appId: 'app-id-1' }) },
} as unknown as AccessRequest;

const arm = (status: number | undefined, code: string, message = 'deleting failed', requestId?: string) =>
  new CloudApiError(code, status, message, requestId);
const graph = (status: number, code: string) =>
  Object.assign(new CloudApiError(code, status, 'application delete failed', 'graph-req-1'), {
    service: 'Microsoft Graph',
  });

test('a scope map left after the token: the access has ended; the scope map and its command, not the token', () => {
  const advice = revocationAdvice(leftBehind(arm(403, 'AuthorizationFailed'), scopeMapLeft(TOKEN_REF)!), token);
  expect(advice).toBe(
    " Azure refused (403): acrbot lacks a right it needs there (see Troubleshooting in acrbot's deployment guide). The access has ended already: ACR token acrbot-r-7 on registry contosoacr is deleted. What is left is scope map acrbot-r-7 on registry contosoacr, which grants nothing by itself: acrbot deletes it at its next attempt, or delete it by hand (az acr scope-map delete --subscription s1 --registry contosoacr --name acrbot-r-7 --yes) and the next attempt finds it gone and finishes.",
  );
});

test("a cluster step's failure after the credential: the secret and kubectl, no Azure refusal, no token", () => {
  const cause = new UserFacingError('kubernetes.forbidden', 'acrbot may not delete secrets in namespace payments');
  const plan = { namespace: 'payments', secretName: 'acr-auth', cluster: { name: 'aks-dev' } };
  const err = leftBehind(cause, secretLeft(plan as Parameters<typeof secretLeft>[0]));
  const advice = revocationAdvice(err, token);
  expect(advice).toMatch(
    /^ The access has ended already: acrbot deleted the credential of pull secret payments\/acr-auth/,
  );
  expect(advice).toContain('(kubectl delete secret -n payments acr-auth, in cluster aks-dev)');
  expect(advice).not.toContain('To end the access at once');
  expect(advice).not.toContain('az acr token delete');
  expect(advice).not.toContain('Azure refused');
  // Its message stays the cause's: what the job's lastError keeps for operators.
  expect(err.message).toBe(cause.message);
});

test('a passing failure after the access ended: retried, and not "the access ends" when Azure answers', () => {
  const advice = revocationAdvice(leftBehind(arm(503, 'ServiceUnavailable'), scopeMapLeft(TOKEN_REF)!), token);
  expect(advice).toContain('the work is done as soon as Azure answers');
  expect(advice).not.toContain('the access ends');
});

test("Microsoft Graph's 403: Graph's permission and ownership, no Azure refusal and no Reader clause", () => {
  const advice = revocationAdvice(
    new Error('the revocation failed', { cause: graph(403, 'Authorization_RequestDenied') }),
    sp,
  );
  expect(advice).toBe(
    " Microsoft Graph refused (403 Authorization_RequestDenied): acrbot's identity lacks the Microsoft Graph permission Application.ReadWrite.OwnedBy, or is no longer an owner of the application (see Microsoft Graph application permissions in acrbot's deployment guide). To end the access at once, delete by hand the application of service principal app-id-1 (az ad app delete --id app-object-1): the next attempt finds it gone and finishes.",
  );
  // A code not shaped like Graph's is not quoted.
  expect(revocationAdvice(graph(403, 'a <b>proxy</b>'), sp)).toContain('Microsoft Graph refused (403): ');
  // Azure's 403 keeps its own advice.
  expect(revocationAdvice(arm(403, 'AuthorizationFailed'), sp)).toContain('give it back Reader on the resource group');
});

describe("a refusal's answer to the approvers", () => {
  const message =
    "The client 'c1' with object id 'o1' does not have authorization to perform action 'Microsoft.Authorization/roleAssignments/delete' over scope '/subscriptions/s1/resourceGroups/rg' or the scope is invalid.";

  test("ARM's 403: its code, the denied action and the request id (and correlation id), never the rest of its message", () => {
    const err = new CloudApiError('AuthorizationFailed', 403, message, 'req-1', 'corr-1');
    const answer = answerForApprovers(new Error('wrapped', { cause: err }), 'access.expire:R-1');
    expect(answer).toBe(
      '403 AuthorizationFailed, denied action Microsoft.Authorization/roleAssignments/delete, Azure request id req-1 (correlation id corr-1 in the Activity Log)',
    );
  });

  test('an action not shaped like an operation is left out; no request id, none said', () => {
    const odd = message.replace('Microsoft.Authorization/roleAssignments/delete', 'x <b>y</b>');
    expect(answerForApprovers(new CloudApiError('AuthorizationFailed', 403, odd), 'j')).toBe('403 AuthorizationFailed');
  });

  test("Graph's 403 names Graph's request id; other statuses keep status and code only", () => {
    expect(answerForApprovers(graph(403, 'Authorization_RequestDenied'), 'j')).toBe(
      '403 Authorization_RequestDenied, Microsoft Graph request id graph-req-1',
    );
    expect(answerForApprovers(new CloudApiError('Conflict', 409, message, 'req-2'), 'j')).toBe('409 Conflict');
  });
});

describe("a cluster step's failure on a stopped cluster: started first, kubectl only once it runs", () => {
  const stopped = () =>
    new UserFacingError(
      'cluster.stopped',
      'Cluster aks-dev is stopped (its power state is Stopped), so its API server answers nothing until it is started: az aks start --subscription sub-dev -g rg-dev -n aks-dev.',
    );
  const plan = {
    namespace: 'payments',
    secretName: 'acr-auth',
    cluster: { name: 'aks-dev', subscriptionId: 'sub-dev', resourceGroup: 'rg-dev' },
  };
  const onDev = { ...token, plan: { kind: 'secret', ...plan } } as unknown as AccessRequest;
  const START =
    " Cluster aks-dev must be started first (az aks start --subscription sub-dev -g rg-dev -n aks-dev): until then nothing in it can be deleted, by acrbot or by hand, and once it runs acrbot's next attempt finishes on its own.";
  const left = (credential?: Parameters<typeof secretLeft>[1], more?: Parameters<typeof secretLeft>[2]) =>
    secretLeft(plan as Parameters<typeof secretLeft>[0], credential, more);

  test('the credential deleted: the start first, then what is left, its check and delete for once it runs', () => {
    const advice = revocationAdvice(leftBehind(stopped(), left('deleted', { writtenUids: ['uid-1'] })), onDev);
    expect(advice).toBe(
      `${START} The access has ended already: acrbot deleted the credential of pull secret payments/acr-auth, so it no longer signs in. What is left is the secret itself in cluster aks-dev (and any imagePullSecrets entry acrbot added for it), which grants nothing by itself: acrbot deletes it then if it is still the object acrbot wrote; else it is someone else's and is left. To delete it by hand once the cluster runs, first check that kubectl get secret -n payments acr-auth -o jsonpath='{.metadata.uid}', in cluster aks-dev, prints uid-1 and that nobody put their own data in it since (a GitOps sync or kubectl apply under that name); then delete it (kubectl delete secret -n payments acr-auth, in cluster aks-dev).`,
    );
  });

  test('no credential deleted: why, then the delete by hand after it is started', () => {
    const advice = revocationAdvice(leftBehind(stopped(), left('kept')), onDev);
    expect(advice.startsWith(START)).toBe(true);
    expect(advice).toContain('To end the access at once after it is started, delete by hand the secret itself');
    expect(advice).not.toMatch(/^ To end the access at once/);
  });

  test("only the entries left: the patch once it runs; several secrets' failures at once, any stopped", () => {
    const entries = left('deleted', { entriesLeft: ['default'] });
    const several = new AggregateError([stopped(), stopped()], 'several secrets');
    const advice = revocationAdvice(leftBehind(several, entries), onDev);
    expect(advice.startsWith(START)).toBe(true);
    expect(advice).toContain(
      ': acrbot deletes it then. To delete it by hand once the cluster runs, delete it (kubectl patch',
    );
  });

  test('another failure of the cluster step keeps its advice', () => {
    const forbidden = new UserFacingError(
      'kubernetes.forbidden',
      'acrbot may not delete secrets in namespace payments',
    );
    expect(revocationAdvice(leftBehind(forbidden, left()), onDev)).not.toContain('must be started first');
  });
});
