/**
 * A Kubernetes 403 names the one RBAC rule the refused call lacked (verb and resource as a Role
 * grants them), whichever call it was: a revocation's delete of the secret, the precheck's get of
 * the namespace object or of the service account, the link's patch. A fixed list of rights in
 * the sentence sent the platform team to grant the wrong one. Against the sandbox's cluster,
 * whose RBAC refuses by verb and resource as an API server does.
 */
import { UserFacingError } from '../../src/domain/errors';
import { KubePullSecrets, REQUEST_ID_LABEL } from '../../src/integrations/kubernetes/kube-pull-secrets';
import { SANDBOX_CLUSTERS } from '../../src/sandbox/fixtures';
import { type Sandbox, startSandbox } from '../../src/sandbox/sandbox';
import { sandboxArm } from '../helpers/sandbox-arm';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.stop());
afterEach(() => sandbox.kubernetes['aks-prod'].rbac.reset());

async function prod() {
  const { reader } = sandboxArm(sandbox);
  const cluster = (await reader.listClusters(SANDBOX_CLUSTERS.prod.subscriptionId)).find((c) => c.name === 'aks-prod')!;
  const kube = new KubePullSecrets((s) => reader.aksClient(s), sandbox.credential);
  return { kube, access: await kube.access(cluster) };
}

/** The error `call` fails with. */
async function failure(call: Promise<unknown>): Promise<UserFacingError> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UserFacingError);
  return err as UserFacingError;
}

test('a revocation refused the delete: the sentence asks for delete on secrets', async () => {
  const { kube, access } = await prod();
  const requestId = 'R-FORB1DEN';
  const written = await kube.write(access, {
    namespace: 'payments',
    secretName: 'acr-forbidden',
    dockerConfigJson: JSON.stringify({ auths: { 'contosoacr.azurecr.io': { username: 'u', password: 'p' } } }),
    labels: { [REQUEST_ID_LABEL]: requestId },
    annotations: {},
  });
  sandbox.kubernetes['aks-prod'].rbac.deny({ namespace: 'payments', resource: 'secrets', verb: 'delete' });
  const err = await failure(
    kube.remove(access, {
      namespace: 'payments',
      secretName: 'acr-forbidden',
      serviceAccounts: [],
      requestId,
      writtenUid: written.uid,
    }),
  );
  expect(err.code).toBe('kubernetes.forbidden');
  expect(err.message).toContain('acrbot may not delete secrets in namespace payments of cluster aks-prod');
  expect(err.message).toContain('its identity needs delete on secrets there');
});

test.each([
  [
    'the namespace object (get, by resourceNames)',
    { resource: 'namespaces' as const, verb: 'get' as const },
    'its identity needs get on namespaces (resourceNames: payments) there',
  ],
  [
    'the service account',
    { resource: 'serviceaccounts' as const, verb: 'get' as const },
    'its identity needs get on serviceaccounts there',
  ],
])('the precheck refused the read of %s: the sentence asks for that rule', async (_what, rule, needs) => {
  const { kube, access } = await prod();
  sandbox.kubernetes['aks-prod'].rbac.deny({ namespace: 'payments', ...rule });
  const err = await failure(
    kube.precheck(access, { namespace: 'payments', secretName: 'acr-pull', serviceAccount: 'default' }),
  );
  expect(err.code).toBe('kubernetes.forbidden');
  expect(err.message).toContain(needs);
});
