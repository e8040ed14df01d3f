/**
 * A failed secret extension's way on is one `extend` (which takes only `--for`) can follow: not
 * a new secret's "choose another --name" or "--namespace", but the secret removed (the namespace
 * made again) and `extend` again, or a new pull secret with the `secret` command written out from
 * the plan. Whether the run's failure comes as a RunFailure (a credential was made and cleaned
 * up: its sentences follow the reason) or as a UserFacingError; any other failure's text is kept.
 */
import { UserFacingError } from '../../src/domain/errors';
import type { AccessRequest } from '../../src/domain/request';
import { MemoryLeaseStore } from '../../src/integrations/store/memory-coordination';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { RunFailure, type RunContext } from '../../src/flows/executor';
import { ExtensionAwareSecretRunner } from '../../src/flows/secret-extension-runner';
import { extensionWayOn, newSecretCommand } from '../../src/flows/secret-extension-way-on';
import { pendingRequest, secretPlan } from './support/requests';

const NAMESPACE_GONE =
  "Namespace payments does not exist in cluster aks-prod; create it first or choose another --namespace (a pull secret must live in the workload's namespace).";
const FOREIGN =
  "Secret payments/acr-auth already exists in cluster aks-prod, and acrbot has no record of making it. It seems to be someone else's secret. acrbot will not overwrite it or delete any credential it names; choose another --name, or ask whoever owns it to remove it first.";
const CLEANED = ' The credential acrbot had created was deleted again.';

const PAIR = `/subscriptions/1f0c0000-0000-4000-8000-000000000001/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks-prod /subscriptions/1f0c0000-0000-4000-8000-000000000001/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/registries/contosoacr`;

const original = pendingRequest({
  id: 'R-AAAAAAAA',
  state: 'succeeded',
  plan: secretPlan({ serviceAccount: 'default' }),
  access: { durationMs: 3_600_000, expiresAt: '2099-01-01T10:00:00.000Z' },
});
const extension = pendingRequest({
  id: 'R-BBBBBBBB',
  state: 'executing',
  plan: secretPlan({ serviceAccount: 'default' }),
  extendsRequestId: original.id,
  access: { durationMs: 2 * 3_600_000 },
});

/** What ExtensionAwareSecretRunner makes of `failure`, thrown by the secret runner. */
async function failedWith(failure: unknown): Promise<unknown> {
  const store = new MemoryRequestStore();
  await store.create(original);
  const runner = new ExtensionAwareSecretRunner(
    {
      run: async () => {
        throw failure;
      },
      refuseBeforeChecks: async (err) => {
        throw err;
      },
    },
    store,
    { store: new MemoryLeaseStore(() => new Date()) },
  );
  return runner.run(extension, {} as RunContext).then(
    () => undefined,
    (err: unknown) => err,
  );
}

describe('a failed secret extension: a way on it can follow', () => {
  test('namespace gone, after a credential was made (RunFailure): made again and extend, or a new secret elsewhere', async () => {
    const err = await failedWith(
      new RunFailure({
        summary: 'Failed',
        azureRequestIds: [],
        error: `${NAMESPACE_GONE}${CLEANED}`,
        errorCode: 'kubernetes.notFound',
      }),
    );
    expect(err).toBeInstanceOf(RunFailure);
    expect((err as RunFailure).outcome.error).toBe(
      `Namespace payments does not exist in cluster aks-prod; an extension writes only into namespace payments, so have it created again and then extend again, or ask for a new pull secret in the workload's namespace: "@acrbot secret ${PAIR} --namespace NAMESPACE --name acr-auth --service-account default --for 2h REASON…".${CLEANED} Access of R-AAAAAAAA was not extended; it still ends at 2099-01-01 10:00 UTC.`,
    );
  });

  test('a secret not acrbot’s (RunFailure): removed and extend, or a new secret under another name', async () => {
    const err = await failedWith(
      new RunFailure({ summary: 'Failed', azureRequestIds: [], error: FOREIGN, errorCode: 'kubernetes.foreignSecret' }),
    );
    const error = (err as RunFailure).outcome.error!;
    expect(error).toContain(
      `acrbot will not overwrite it or delete any credential it names; an extension writes only into this secret, so ask whoever owns it to remove it and then extend again, or ask for a new pull secret under another name: "@acrbot secret ${PAIR} --namespace payments --name NEW-NAME --service-account default --for 2h REASON…".`,
    );
    expect(error).not.toContain('choose another --name');
  });

  test('the same as a UserFacingError, its code kept', async () => {
    const err = await failedWith(new UserFacingError('kubernetes.foreignSecret', FOREIGN));
    expect(err).toBeInstanceOf(UserFacingError);
    expect((err as UserFacingError).code).toBe('kubernetes.foreignSecret');
    expect((err as UserFacingError).message).toContain('--name NEW-NAME');
    expect((err as UserFacingError).message).not.toContain('choose another --name');
  });

  test('a service account missing when checked, or gone before the link: made again and extend, or a new secret for another account', () => {
    const way = `an extension links the secret only to service account default, so have it created again and then extend again, or ask for a new pull secret for the workload's service account: "@acrbot secret ${PAIR} --namespace payments --name acr-auth --service-account SERVICE-ACCOUNT --for 2h REASON…".`;
    const missing =
      'Service account default does not exist in namespace payments of cluster aks-prod; check --service-account.';
    expect(extensionWayOn(missing, 'kubernetes.noServiceAccount', extension)).toBe(
      `Service account default does not exist in namespace payments of cluster aks-prod; ${way}`,
    );
    const gone =
      'The service account acrbot was to patch no longer exists in namespace payments of cluster aks-prod (it was there when acrbot checked); check --service-account and ask for it again (the new request needs approving again).';
    const text = extensionWayOn(gone, 'kubernetes.notFound', extension);
    expect(text).toBe(
      `The service account acrbot was to patch no longer exists in namespace payments of cluster aks-prod (it was there when acrbot checked); ${way}`,
    );
    expect(text).not.toContain('check --service-account');
  });

  test('a secret being deleted: extend again once it is gone, or a new secret under another name; no --name for extend', () => {
    const deleting =
      'Secret payments/acr-auth in cluster aks-prod is being deleted (finalizers example.com/hold); nothing was written. Try again when it is gone (a new request may also choose another --name).';
    const text = extensionWayOn(deleting, 'kubernetes.secretTerminating', extension);
    expect(text).toBe(
      `Secret payments/acr-auth in cluster aks-prod is being deleted (finalizers example.com/hold); nothing was written. Extend again when it is gone (an extension writes only into this secret, and writes it anew then), or ask for a new pull secret under another name: "@acrbot secret ${PAIR} --namespace payments --name NEW-NAME --service-account default --for 2h REASON…".`,
    );
  });

  test('a namespace being deleted: made again once gone and extend, or a new secret in another namespace; no "ask again"', () => {
    const deleting =
      "Namespace payments of cluster aks-prod is being deleted (Terminating), so nothing can be created in it, and its deletion cannot be undone (if it stays Terminating, a finalizer holds it: the cluster's owners can see which); once it is gone, have it created again, or choose a namespace that is not going away.";
    const text = extensionWayOn(deleting, 'kubernetes.namespaceTerminating', extension);
    expect(text).toBe(
      `Namespace payments of cluster aks-prod is being deleted (Terminating), so nothing can be created in it, and its deletion cannot be undone (if it stays Terminating, a finalizer holds it: the cluster's owners can see which); as an extension writes only into namespace payments, have it created again once it is gone (and service account default in it) and then extend again, or ask for a new pull secret in the workload's namespace: "@acrbot secret ${PAIR} --namespace NAMESPACE --name acr-auth --service-account default --for 2h REASON…".`,
    );
    // Without a service account of its own, none is named.
    const plain = { ...extension, plan: secretPlan() };
    expect(extensionWayOn(deleting, 'kubernetes.namespaceTerminating', plain)).not.toContain('service account');
  });

  test('a cluster stopped since the plan: started before extending again, neither a new request nor a grant', () => {
    const stopped =
      "Cluster aks-prod was stopped after this request was planned (its power state is Stopped; nothing was created), so acrbot cannot write a pull secret in it: start it with az aks start --subscription 1f0c0000-0000-4000-8000-000000000001 -g rg-aks -n aks-prod and ask for it again (the new request needs approving again). A grant (AcrPull on the cluster's identity) works while it is stopped.";
    expect(extensionWayOn(stopped, 'cluster.stopped', extension)).toBe(
      'Cluster aks-prod was stopped after this request was planned (its power state is Stopped; nothing was created), so acrbot cannot write a pull secret in it: start it with az aks start --subscription 1f0c0000-0000-4000-8000-000000000001 -g rg-aks -n aks-prod before extending again (an extension writes a new credential into the secret, which needs the cluster running).',
    );
  });

  test('other failures keep their words: another code, another sentence', () => {
    expect(extensionWayOn(NAMESPACE_GONE, 'kubernetes.forbidden', extension)).toBe(NAMESPACE_GONE);
    const other =
      'Kubernetes did not find the configmaps acrbot was to read in namespace payments of cluster aks-prod.';
    expect(extensionWayOn(other, 'kubernetes.notFound', extension)).toBe(other);
  });
});

describe('newSecretCommand: the secret command for the same access, as `secret` parses it', () => {
  const plan = secretPlan({
    credentialKind: 'sp',
    typed: { cluster: 'name', registry: 'name' },
    repositories: [],
  });

  test('the options the access had, the term asked for, the name or namespace left to choose', () => {
    expect(newSecretCommand(plan, 'newName', { permanent: true } as AccessRequest['access'])).toBe(
      '@acrbot secret aks-prod contosoacr --namespace payments --name NEW-NAME --kind sp --for permanent REASON…',
    );
    expect(newSecretCommand(secretPlan({ repositories: ['team/app', 'team/worker'] }), 'newNamespace')).toBe(
      `@acrbot secret ${PAIR} --namespace NAMESPACE --name acr-auth --repositories team/app,team/worker REASON…`,
    );
  });
});
