/**
 * A pull secret's revocation that cannot finish tells the approvers, and records, what acrbot did,
 * nothing more, through the real server, the scheduler and the sandbox emulators, with a test clock:
 * - its token's registry nowhere acrbot can see (`unconfirmed`): nothing was deleted, so the report
 *   never says "acrbot deleted the credential", on the first attempt or on a retry;
 * - a secret whose contents someone replaced, its token made again under its name (`notOurs`):
 *   the secret's entry says acrbot revoked no credential, not that it revoked it all the same;
 * - a service account PATCH refused after the secret was deleted: the entry in its
 *   `imagePullSecrets` is what is left, with the kubectl patch for it, not the secret; with the
 *   entry in two accounts and only one's PATCH refused, that one alone.
 */
import type { KubeObject } from '../../src/sandbox/kubernetes';
import { SANDBOX_SUBSCRIPTIONS } from '../../src/sandbox/fixtures';
import { cardText } from '../helpers/capturing-connector';
import {
  advance,
  contosoId,
  grantedSecretOnAksDev,
  h,
  MINUTE,
  now,
  tokens,
  useLifecycleHooks,
} from '../helpers/lifecycle';

useLifecycleHooks();

type Cluster = Awaited<ReturnType<typeof grantedSecretOnAksDev>>['k8s'];

/** The reports of a revocation that is not done, sent to the approvers since the last clear. */
const failing = () =>
  h.connector.calls
    .map((c) => cardText(c.activity))
    .filter((text) => /Needs attention/.test(text) && text.includes('Revoking the access is not done'));

/** The access's end reached, or the next attempt of its revocation due, and run. */
async function attempt(minutes = 2): Promise<void> {
  advance(minutes * MINUTE);
  await h.app.scheduler.runDue();
}

/** `outcome: detail` of `id`'s entries of `action`. */
async function steps(id: string, action: string): Promise<string[]> {
  return (await h.app.audit.forRequest(id))
    .filter((e) => e.action === action)
    .map((e) => `${e.outcome}: ${e.detail ?? ''}`);
}

test('a token whose registry is nowhere acrbot can see: the report says no credential was deleted, on every attempt', async () => {
  const { id, k8s } = await grantedSecretOnAksDev(
    'aks-dev contosoacr --namespace payments --for 2m pull for payments-api',
  );
  const token = `acrbot-${id.toLowerCase()}`;
  // Moved to a subscription acrbot cannot read, and the deployment may not ask whether its name is taken.
  h.app.sandbox!.arm.state.moveRegistry(contosoId, {
    subscriptionId: SANDBOX_SUBSCRIPTIONS.data,
    resourceGroup: 'rg-elsewhere',
  });
  const unreachable = k8s.faults.inject({ drop: true, times: Infinity });
  h.connector.clear();
  await attempt();
  await attempt();
  expect((await h.app.store.get(id))!.state).toBe('succeeded');
  expect((await steps(id, 'access.revoke.credential')).map((s) => s.slice(0, s.indexOf(':')))).toEqual([
    'unconfirmed',
    'absent',
  ]);
  const reports = failing();
  expect(reports).toHaveLength(2);
  for (const report of reports) {
    expect(report).toContain(
      `acrbot deleted no credential of pull secret payments/acr-auth: ACR token ${token} on registry contosoacr was not found where acrbot recorded it, and that registry is nowhere acrbot can see (audit log: access.revoke.credential, unconfirmed; the approvers were told what to check), so acrbot cannot confirm the access ended: if the registry was moved, the secret still signs in. To end the access at once, delete by hand the secret itself in cluster aks-dev`,
    );
    expect(report).not.toMatch(/acrbot deleted the credential|has ended already/);
  }
  // The approvers were told what to check once, as before.
  const told = h.connector.calls.filter((c) => cardText(c.activity).includes('ended unconfirmed for its token'));
  expect(told).toHaveLength(1);

  unreachable();
  await attempt();
  expect((await h.app.store.get(id))!.state).toBe('revoked');
});

/** A GitOps sync puts the team's data into the object acrbot made (same uid, acrbot's labels kept). */
function syncTeamSecret(k8s: Cluster): void {
  const s = k8s.getObject('secrets', 'payments', 'acr-auth')!;
  const team = Buffer.from(JSON.stringify({ auths: { 'contosoacr.azurecr.io': { username: 't', password: 'p' } } }));
  k8s.seedObject('secrets', { ...s, data: { '.dockerconfigjson': team.toString('base64') } } as KubeObject);
}

/** Someone deletes the token `name` and makes one again under that name, which Azure dates now. */
function tokenMadeAgain(name: string): void {
  const registry = h.app.sandbox!.arm.state.getRegistry(contosoId)!;
  expect(registry.tokens.delete(name)).toBe(true);
  registry.tokens.set(name, {
    id: `${contosoId}/tokens/${name}`,
    name,
    scopeMapId: `${contosoId}/scopeMaps/${name}`,
    status: 'enabled',
    creationDate: now.toISOString(),
    passwords: [],
  });
}

const REPLACED =
  /^notOurs: it is the object acrbot wrote \(uid .+\), but its contents were replaced by someone else since acrbot wrote it; left in place with its imagePullSecrets entries; /;

test('a secret whose contents were replaced, its token made again: its entry says acrbot revoked no credential', async () => {
  const { id, k8s } = await grantedSecretOnAksDev(
    'aks-dev contosoacr --namespace payments --for 2m pull for payments-api',
  );
  const token = `acrbot-${id.toLowerCase()}`;
  syncTeamSecret(k8s);
  advance(MINUTE);
  tokenMadeAgain(token);
  await attempt();
  expect((await h.app.store.get(id))!.state).toBe('revoked');
  expect(tokens()).toEqual([token]);
  const [secretStep] = await steps(id, 'access.revoke.secret');
  expect(secretStep).toMatch(REPLACED);
  expect(secretStep).toMatch(
    /; the token under the credential's name is not the one acrbot made, so acrbot revoked none \(left in place for an operator\)$/,
  );
  expect(secretStep).not.toContain('revoked all the same');
  // Written once the credential step has run, so it says what that step did.
  expect((await h.app.audit.forRequest(id)).map((e) => `${e.action}:${e.outcome}`)).toEqual(
    expect.arrayContaining(['access.revoke.credential:notOurs', 'access.revoke.secret:notOurs']),
  );
});

test('a secret whose contents were replaced, its own token deleted: revoked all the same, as before', async () => {
  const { id, k8s } = await grantedSecretOnAksDev(
    'aks-dev contosoacr --namespace payments --for 2m pull for payments-api',
  );
  syncTeamSecret(k8s);
  await attempt();
  expect((await h.app.store.get(id))!.state).toBe('revoked');
  expect(tokens()).toEqual([]);
  const [secretStep] = await steps(id, 'access.revoke.secret');
  expect(secretStep).toMatch(REPLACED);
  expect(secretStep).toMatch(/; the credential acrbot made is revoked all the same$/);
});

test("a secret whose contents were replaced, its token's DELETE refused: its entry says the deletion failed and is retried, then that it is revoked", async () => {
  const { id, k8s } = await grantedSecretOnAksDev(
    'aks-dev contosoacr --namespace payments --for 2m pull for payments-api',
  );
  syncTeamSecret(k8s);
  const TOKEN_DELETE = 'Microsoft.ContainerRegistry/registries/tokens/delete';
  h.app.sandbox!.arm.state.denyAction(contosoId, TOKEN_DELETE);
  await attempt();
  expect((await h.app.store.get(id))!.state).toBe('succeeded');
  expect(await steps(id, 'access.revoke.secret')).toEqual([
    expect.stringMatching(/; the deletion of the credential acrbot made failed, and is retried$/),
  ]);
  h.app.sandbox!.arm.state.allowAction(contosoId, TOKEN_DELETE);
  await attempt(1);
  expect((await h.app.store.get(id))!.state).toBe('revoked');
  expect((await steps(id, 'access.revoke.secret')).at(-1)).toMatch(
    /; the credential acrbot made is revoked all the same$/,
  );
});

test('a service account PATCH refused after the secret was deleted: the entry and its kubectl patch are what is left, not the secret', async () => {
  const { id, k8s } = await grantedSecretOnAksDev(
    'aks-dev contosoacr --namespace payments --service-account default --for 2m pull for payments-api',
  );
  const refused = k8s.faults.inject({ verb: 'patch', resource: 'serviceaccounts', status: 403, times: Infinity });
  h.connector.clear();
  await attempt();
  expect(k8s.getObject('secrets', 'payments', 'acr-auth')).toBeUndefined();
  expect(tokens()).toEqual([]);
  expect((await h.app.store.get(id))!.state).toBe('succeeded');
  const [report] = failing();
  expect(report).toContain(
    'The access has ended already: acrbot deleted the credential of pull secret payments/acr-auth, so it no longer signs in, and the secret itself in cluster aks-dev. What is left is the entry acr-auth in the imagePullSecrets of service account default in namespace payments of cluster aks-dev, which grants nothing by itself',
  );
  expect(report).toContain(
    `kubectl patch serviceaccount default -n payments --type json -p '[{"op":"test","path":"/imagePullSecrets/N","value":{"name":"acr-auth"}},{"op":"remove","path":"/imagePullSecrets/N"}]', in cluster aks-dev, N being the place of acr-auth in that list, counted from 0`,
  );
  expect(report).not.toContain('kubectl delete secret');
  expect(report).not.toContain('the secret itself in cluster aks-dev (and any');

  refused();
  await attempt(1);
  expect((await h.app.store.get(id))!.state).toBe('revoked');
});

test('a service account PATCH refused, the token found gone already: the report says it was gone, never that acrbot deleted it', async () => {
  const { id, k8s } = await grantedSecretOnAksDev(
    'aks-dev contosoacr --namespace payments --service-account default --for 2m pull for payments-api',
  );
  // Someone deleted the token (and its scope map) before the access's end.
  const registry = h.app.sandbox!.arm.state.getRegistry(contosoId)!;
  const token = `acrbot-${id.toLowerCase()}`;
  expect(registry.tokens.delete(token)).toBe(true);
  registry.scopeMaps.delete(token);
  const refused = k8s.faults.inject({ verb: 'patch', resource: 'serviceaccounts', status: 403, times: Infinity });
  h.connector.clear();
  await attempt();
  expect((await steps(id, 'access.revoke.credential')).map((s) => s.slice(0, s.indexOf(':')))).toEqual(['absent']);
  const [report] = failing();
  expect(report).toContain(
    'The access has ended already: the credential of pull secret payments/acr-auth was already gone, so it no longer signs in, and acrbot deleted the secret itself in cluster aks-dev. What is left is the entry acr-auth',
  );
  expect(report).not.toMatch(/acrbot deleted the credential/);
  // The retry finds it recorded absent: still said gone, not deleted.
  h.connector.clear();
  await attempt(1);
  expect(failing()[0]).toContain('the credential of pull secret payments/acr-auth was already gone');

  refused();
  await attempt(5);
  expect((await h.app.store.get(id))!.state).toBe('revoked');
});

test('a secret whose contents were replaced, its token found gone already: its entry says so, not that acrbot revoked it', async () => {
  const { id, k8s } = await grantedSecretOnAksDev(
    'aks-dev contosoacr --namespace payments --for 2m pull for payments-api',
  );
  syncTeamSecret(k8s);
  expect(h.app.sandbox!.arm.state.getRegistry(contosoId)!.tokens.delete(`acrbot-${id.toLowerCase()}`)).toBe(true);
  await attempt();
  expect((await h.app.store.get(id))!.state).toBe('revoked');
  const [secretStep] = await steps(id, 'access.revoke.secret');
  expect(secretStep).toMatch(REPLACED);
  expect(secretStep).toMatch(
    /; the credential acrbot made was already gone, so none is revoked, and it no longer signs in$/,
  );
});

test('the entry recorded in two service accounts, the PATCH of one refused: only that one is named as left', async () => {
  const { id, k8s } = await grantedSecretOnAksDev(
    'aks-dev contosoacr --namespace payments --service-account default --for 2m pull for payments-api',
  );
  // A second account holding the entry, recorded as acrbot's (as a write that replaced another
  // request's secret keeps that request's entries).
  const account = k8s.getObject('serviceaccounts', 'payments', 'default')!;
  const builder = k8s.seedObject('serviceaccounts', {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: 'builder', namespace: 'payments' },
    imagePullSecrets: [{ name: 'acr-auth' }],
  } as KubeObject);
  const done = (await h.app.store.get(id))!;
  const secret = done.outcome!.secret!;
  await h.app.store.update({
    ...done,
    version: done.version + 1,
    outcome: {
      ...done.outcome!,
      secret: {
        ...secret,
        serviceAccounts: ['default', 'builder'],
        serviceAccountLinks: { default: { uid: account.metadata.uid! }, builder: { uid: builder.metadata.uid! } },
      },
    },
  });
  const refused = k8s.faults.inject({
    verb: 'patch',
    resource: 'serviceaccounts',
    name: 'builder',
    status: 403,
    times: Infinity,
  });
  h.connector.clear();
  await attempt();
  expect(k8s.getObject('secrets', 'payments', 'acr-auth')).toBeUndefined();
  expect((await h.app.store.get(id))!.state).toBe('succeeded');
  const [report] = failing();
  expect(report).toContain(
    'What is left is the entry acr-auth in the imagePullSecrets of service account builder in namespace payments of cluster aks-dev, which grants nothing by itself',
  );
  // default's entry was taken out: not named as left, nor given a kubectl patch.
  expect(
    (k8s.getObject('serviceaccounts', 'payments', 'default') as unknown as { imagePullSecrets?: { name: string }[] })
      .imagePullSecrets ?? [],
  ).not.toContainEqual({ name: 'acr-auth' });
  expect(report).not.toMatch(/service accounts? [^.]*\bdefault\b/);
  expect(report).not.toContain('kubectl patch serviceaccount default');

  refused();
  await attempt(1);
  expect((await h.app.store.get(id))!.state).toBe('revoked');
});

/** The team deletes acrbot's secret and makes their own under its name (another uid). */
function teamMakesOwnSecret(k8s: Cluster): string {
  expect(k8s.deleteObject('secrets', 'payments', 'acr-auth')).toBe(true);
  const team = Buffer.from(JSON.stringify({ auths: { 'contosoacr.azurecr.io': { username: 't', password: 'p' } } }));
  k8s.seedObject('secrets', {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/dockerconfigjson',
    metadata: { name: 'acr-auth', namespace: 'payments' },
    data: { '.dockerconfigjson': team.toString('base64') },
  } as unknown as KubeObject);
  return k8s.getObject('secrets', 'payments', 'acr-auth')!.metadata.uid!;
}

test("the cluster unreachable at the end, the team's own secret under the name since: the report says to delete it only if it is acrbot's uid, and acrbot leaves it", async () => {
  const { id, k8s } = await grantedSecretOnAksDev(
    'aks-dev contosoacr --namespace payments --for 2m pull for payments-api',
  );
  const written = k8s.getObject('secrets', 'payments', 'acr-auth')!.metadata.uid!;
  const teams = teamMakesOwnSecret(k8s);
  expect(teams).not.toBe(written);
  const unreachable = k8s.faults.inject({ drop: true, times: Infinity });
  h.connector.clear();
  await attempt();
  const [report] = failing();
  expect(report).toContain(
    `What is left is the secret itself in cluster aks-dev (and any imagePullSecrets entry acrbot added for it), which grants nothing by itself. acrbot deletes it at its next attempt if it is still the object acrbot wrote; else it is someone else's and is left. To delete it now, first check that kubectl get secret -n payments acr-auth -o jsonpath='{.metadata.uid}', in cluster aks-dev, prints ${written} and that nobody put their own data in it since (a GitOps sync or kubectl apply under that name); then delete it (kubectl delete secret -n payments acr-auth, in cluster aks-dev). The next attempt finds it gone and finishes.`,
  );
  expect(report).not.toContain('attempt, or delete it by hand (kubectl delete secret');
  // Said once: the condition, then the check, then the command.
  expect(report.split('still the object acrbot wrote').length).toBe(2);

  // The next attempt finds the team's secret, not acrbot's: left, and the access revoked.
  unreachable();
  await attempt();
  expect((await h.app.store.get(id))!.state).toBe('revoked');
  expect(k8s.getObject('secrets', 'payments', 'acr-auth')!.metadata.uid).toBe(teams);
});

test("the cluster unreachable at the end, the secret's contents replaced in place: the report asks whether anyone put their data into it, and acrbot leaves it", async () => {
  const { id, k8s } = await grantedSecretOnAksDev(
    'aks-dev contosoacr --namespace payments --for 2m pull for payments-api',
  );
  const written = k8s.getObject('secrets', 'payments', 'acr-auth')!.metadata.uid!;
  syncTeamSecret(k8s);
  const unreachable = k8s.faults.inject({ drop: true, times: Infinity });
  h.connector.clear();
  await attempt();
  const [report] = failing();
  // The uid is the same: the check names the data too, and the uid is no secret to scrub.
  expect(report).toContain(`prints ${written} and that nobody`);
  expect(report).toContain(
    'and that nobody put their own data in it since (a GitOps sync or kubectl apply under that name); then delete it (kubectl delete secret -n payments acr-auth, in cluster aks-dev)',
  );

  unreachable();
  await attempt();
  expect((await h.app.store.get(id))!.state).toBe('revoked');
  expect(k8s.getObject('secrets', 'payments', 'acr-auth')!.metadata.uid).toBe(written);
});
