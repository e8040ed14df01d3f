/**
 * An extension of a pull secret (a rotation into the same secret) is checked against the cluster
 * when it is asked for, as a new secret's plan is: its card says, before anyone approves, that
 * the namespace is gone or that the secret is no longer acrbot's to rotate (its contents replaced
 * in place, as a GitOps sync leaves it). Before, the card took the original's run for proof and
 * promised the rotation, naming the credential "the secret holds now". Refused after approval,
 * its failure gives a way on an extension can follow: `extend` takes only `--for`, so not
 * "choose another --name" or "--namespace", but the secret removed (or the namespace made again)
 * and `extend` again, or a new pull secret with the `secret` command written out.
 * End to end: server, Kubernetes emulator, test clock.
 */
import type { KubeObject } from '../../src/sandbox/kubernetes';
import { requestCard } from '../../src/views/request-view';
import { users } from '../helpers/harness';
import {
  advance,
  grantedSecretOnAksDev,
  h,
  MINUTE,
  requestExtension,
  tokens,
  useLifecycleHooks,
} from '../helpers/lifecycle';

useLifecycleHooks();

const SECRET = 'aks-dev contosoacr --namespace payments --service-account default --for 1h pull for payments-api';

/** The approvers' card of `id` as drawn from the store now, as JSON text. */
const cardOf = async (id: string) => JSON.stringify(requestCard((await h.app.store.get(id))!, { showActions: true }));

/** The plan-time note (`targetCheck`) of the stored request `id`. */
async function checkOf(id: string): Promise<string | undefined> {
  const plan = (await h.app.store.get(id))!.plan;
  return plan.kind === 'secret' ? plan.targetCheck : undefined;
}

/** The operation lines of the stored request `id`'s plan. */
async function operationsOf(id: string): Promise<string[]> {
  return (await h.app.store.get(id))!.plan.operations;
}

test('a healthy secret: the extension reads the cluster once, as a new secret’s plan does, and says nothing', async () => {
  const { id, k8s } = await grantedSecretOnAksDev(SECRET);
  advance(MINUTE);
  k8s.clearRequests();
  const extensionId = await requestExtension(id, '--for 2h still needed for payments');
  // One precheck (namespace, secret, service account), reads only.
  expect(k8s.requests.map((r) => `${r.method} ${r.path}`).sort()).toEqual([
    'GET /api/v1/namespaces/payments',
    'GET /api/v1/namespaces/payments/secrets/acr-auth',
    'GET /api/v1/namespaces/payments/serviceaccounts/default',
  ]);
  expect(await checkOf(extensionId)).toBeUndefined();
  expect(await cardOf(extensionId)).not.toContain('"Check"');
  expect(await operationsOf(extensionId)).toContain(`Delete the credential of ${id}, which the secret holds now`);
});

test('contents replaced in place by the team: the card says the run will refuse, and the failure a way on', async () => {
  const { id, k8s } = await grantedSecretOnAksDev(SECRET);
  const written = k8s.getObject('secrets', 'payments', 'acr-auth')!;
  const team = Buffer.from(JSON.stringify({ auths: { 'contosoacr.azurecr.io': { username: 't', password: 'p' } } }));
  const teamData = team.toString('base64');
  k8s.seedObject('secrets', { ...written, data: { '.dockerconfigjson': teamData } } as KubeObject);
  advance(MINUTE);
  const extensionId = await requestExtension(id, '--for 2h still needed for payments');

  const note = await checkOf(extensionId);
  expect(note).toMatch(
    /^At \d{4}-\d\d-\d\d \d\d:\d\d UTC secret payments\/acr-auth in cluster aks-dev was not one acrbot's records show this access wrote/,
  );
  expect(note).toContain('the run will refuse to overwrite it');
  expect(note).toContain(
    'ask for a new pull secret under another name instead: "@acrbot secret aks-dev contosoacr --namespace payments --name NEW-NAME --service-account default REASON…"',
  );
  expect(note).not.toContain('another --name');
  expect(await cardOf(extensionId)).toContain('"Check"');
  // The secret holds the team's data, no credential of acrbot's: the card does not say it does.
  const operations = await operationsOf(extensionId);
  expect(operations).toContain(`Delete the credential of ${id}, which acrbot wrote into the secret last`);
  expect(operations.join('\n')).not.toContain('which the secret holds now');

  await h.click(users.approver, 'approve', { requestId: extensionId });
  const done = await h.settle(extensionId);
  expect(done.state).toBe('failed');
  const error = done.outcome?.error ?? '';
  expect(error).toContain('but its contents were replaced by someone else');
  expect(error).toContain(
    'acrbot will not overwrite it or delete any credential it names; an extension writes only into this secret, so ask whoever owns it to remove it and then extend again, or ask for a new pull secret under another name: "@acrbot secret aks-dev contosoacr --namespace payments --name NEW-NAME --service-account default --for 2h REASON…".',
  );
  expect(error).not.toContain('choose another --name');
  expect(error).toContain(`Access of ${id} was not extended; it still ends at 2026-11-30 11:00 UTC.`);
  // Refused before anything was made: the team's secret and the original's credential stay.
  expect(k8s.getObject('secrets', 'payments', 'acr-auth')!.data!['.dockerconfigjson' as never]).toBe(teamData);
  expect(tokens()).toEqual([`acrbot-${id.toLowerCase()}`]);
});

test('namespace deleted: the card says so before approval, and the failure a way on an extension can follow', async () => {
  const { id, k8s } = await grantedSecretOnAksDev(SECRET);
  k8s.deleteObject('secrets', 'payments', 'acr-auth');
  k8s.deleteObject('serviceaccounts', 'payments', 'default');
  k8s.deleteObject('namespaces', '', 'payments');
  advance(MINUTE);
  const extensionId = await requestExtension(id, '--for 2h still needed for payments');

  expect(await checkOf(extensionId)).toMatch(
    /^At \d{4}-\d\d-\d\d \d\d:\d\d UTC namespace payments did not exist in cluster aks-dev: create it before approving, or the run will fail\.$/,
  );
  expect(await cardOf(extensionId)).toContain('"Check"');

  await h.click(users.approver, 'approve', { requestId: extensionId });
  const done = await h.settle(extensionId);
  expect(done.state).toBe('failed');
  const error = done.outcome?.error ?? '';
  expect(error).toContain(
    'Namespace payments does not exist in cluster aks-dev; an extension writes only into namespace payments, so have it created again and then extend again, or ask for a new pull secret in the workload\'s namespace: "@acrbot secret aks-dev contosoacr --namespace NAMESPACE --name acr-auth --service-account default --for 2h REASON…".',
  );
  expect(error).not.toContain('choose another --namespace');
  expect(error).toContain(`Access of ${id} was not extended; it still ends at 2026-11-30 11:00 UTC.`);
});

test("namespace being deleted: the extension's card says so before approval", async () => {
  const { id, k8s } = await grantedSecretOnAksDev(SECRET);
  expect(k8s.terminateNamespace('payments')).toBe(true);
  advance(MINUTE);
  const extensionId = await requestExtension(id, '--for 2h still needed for payments');

  expect(await checkOf(extensionId)).toMatch(
    /^At \d{4}-\d\d-\d\d \d\d:\d\d UTC namespace payments of cluster aks-dev was being deleted, which cannot be undone: unless it is gone and created again before approving, the run will fail\.$/,
  );
  expect(await cardOf(extensionId)).toContain('was being deleted');
});

test('namespace made again after the card said it was gone: extending again writes the secret anew', async () => {
  const { id, k8s } = await grantedSecretOnAksDev(SECRET);
  k8s.deleteObject('secrets', 'payments', 'acr-auth');
  k8s.deleteObject('serviceaccounts', 'payments', 'default');
  k8s.deleteObject('namespaces', '', 'payments');
  advance(MINUTE);
  const extensionId = await requestExtension(id, '--for 2h still needed for payments');
  expect(await checkOf(extensionId)).toMatch(/namespace payments did not exist/);
  // The way on the note gives: the namespace made before approving (its default account with it).
  k8s.seedObject('namespaces', { metadata: { name: 'payments' } } as KubeObject);
  await h.click(users.approver, 'approve', { requestId: extensionId });
  expect((await h.settle(extensionId)).state).toBe('succeeded');
  expect(k8s.getObject('secrets', 'payments', 'acr-auth')).toBeDefined();
  expect(tokens()).toEqual([`acrbot-${extensionId.toLowerCase()}`]);
});
