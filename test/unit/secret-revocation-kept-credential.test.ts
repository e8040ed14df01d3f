/**
 * A pull secret's revocation whose cluster step fails, for a request of which acrbot kept no
 * usable credential record: no credential was deleted, so the report never says acrbot deleted
 * it, nor that the access has ended; it says what is true, and that deleting the secret by hand
 * ends the access at once. With the credential deleted, the report says so (the access ended).
 * A token left as not acrbot's, or whose registry acrbot cannot see, is not said deleted either;
 * a secret deleted before a service account PATCH failed leaves only its entry, which the report
 * names with its kubectl patch.
 */
import { CloudApiError } from '../../src/domain/ports';
import { scrubSecrets } from '../../src/domain/secret-text';
import { revocationAdvice } from '../../src/flows/azure-failure-text';
import { RevocationLeftError, secretLeft } from '../../src/flows/revocation-left';
import { revokeSecrets } from '../../src/flows/secret-revocation';
import { pullSecretRecordId } from '../../src/domain/secret-ownership';
import { MemoryAuditLog } from '../../src/integrations/store/memory-stores';
import { FakeClock } from './support/fake-clock';
import { APPROVER, pendingRequest, secretPlan } from './support/requests';
import { unreachableClusterDeps } from './support/unreachable-cluster-deps';

const plan = secretPlan();
const SECRET = { namespace: plan.namespace, secretName: plan.secretName, cluster: plan.cluster };
/** The check before a delete by hand, for a secret whose uid acrbot did not record. */
const NO_UID_CHECK =
  ', but only if it is still the object acrbot wrote. To do so, first check that nobody deleted it and made their own under that name (acrbot kept no uid of it to check against) and that nobody put their own data in it since (a GitOps sync or kubectl apply under that name)';

test('no usable credential record and a cluster step that fails: the report says none was deleted', async () => {
  const audit = new MemoryAuditLog(new FakeClock());
  const deps = unreachableClusterDeps(audit);
  // A secret request whose records name no credential (none created, no credentialRef).
  const request = pendingRequest({ state: 'succeeded', plan, created: [] });

  const err = await revokeSecrets(deps, request, [], APPROVER, new Set()).catch((e: unknown) => e);

  expect(err).toBeInstanceOf(RevocationLeftError);
  expect((err as Error).message).toContain('no usable record of its credential was kept, so none was deleted');
  expect((err as Error).message).not.toContain('its credential is deleted');
  const advice = revocationAdvice(err, request);
  expect(advice).toBe(
    ` acrbot has no usable record of the credential of pull secret payments/acr-auth, so it deleted none: the access may not have ended, as the secret may still sign in. To end the access at once, delete by hand the secret itself in cluster ${plan.cluster.name} (and any imagePullSecrets entry acrbot added for it)${NO_UID_CHECK}; then delete it (kubectl delete secret -n payments acr-auth, in cluster ${plan.cluster.name}). The next attempt finds it gone and finishes.`,
  );
  expect(advice).not.toContain('deleted the credential');
  expect(advice).not.toContain('has ended already');
  // The trail says the same: the credential kept, and the cluster step's entry claims no delete.
  const trail = await audit.forRequest(request.id);
  expect(trail.map((e) => [e.action, e.outcome])).toEqual([
    ['access.revoke.secret', 'failed'],
    ['access.revoke.credential', 'kept'],
  ]);
  expect(trail[0].detail).toBe(
    'the cluster step failed (unexpected error); no usable record of the credential was kept, so none is deleted, the cluster step is retried',
  );
});

/** A succeeded secret request without a usable credential record, whose secret acrbot recorded under `uid`. */
const wroteUid = (uid: string, id?: string) =>
  pendingRequest({
    ...(id && { id }),
    state: 'succeeded',
    plan,
    created: [{ kind: 'pullSecret', id: pullSecretRecordId(plan), uid, recordedAt: '2026-01-01T00:00:00.000Z' }],
  });

test("no usable credential record, the secret's uid recorded: to end the access at once, delete it only if that uid is still there", async () => {
  const uid = '0f6b3c1e-8a41-4d2b-9c7e-5d1a2b3c4d5e';
  const request = wroteUid(uid);

  const err = await revokeSecrets(unreachableClusterDeps(), request, [], APPROVER, new Set()).catch((e: unknown) => e);

  const advice = revocationAdvice(err, request);
  expect(advice).toContain(
    ` To end the access at once, delete by hand the secret itself in cluster ${plan.cluster.name} (and any imagePullSecrets entry acrbot added for it), but only if it is still the object acrbot wrote. To do so, first check that kubectl get secret -n payments acr-auth -o jsonpath='{.metadata.uid}', in cluster ${plan.cluster.name}, prints ${uid} and that nobody put their own data in it since (a GitOps sync or kubectl apply under that name); then delete it (kubectl delete secret -n payments acr-auth, in cluster ${plan.cluster.name}). The next attempt finds it gone and finishes.`,
  );
  // Never a delete by the name alone; and the uid is no secret, so the report's scrubbing keeps it.
  expect(advice).not.toContain('added for it) (kubectl delete secret');
  expect(scrubSecrets(advice)).toBe(advice);
});

test('a request and its extension left under two recorded uids: both are named, as either may be the one left; under one, it is', async () => {
  const advice = async (extensionUid: string) => {
    const request = wroteUid('u-request', 'R-AAAAAAAA');
    const err = await revokeSecrets(
      unreachableClusterDeps(),
      request,
      [wroteUid(extensionUid, 'R-BBBBBBBB')],
      APPROVER,
      new Set(),
    ).catch((e: unknown) => e);
    return revocationAdvice(err, request);
  };
  const two = await advice('u-extension');
  expect(two).toMatch(/prints u-(request or u-extension|extension or u-request) and that nobody/);
  expect(two).not.toContain('kept no uid');
  expect(await advice('u-request')).toContain(
    `-o jsonpath='{.metadata.uid}', in cluster ${plan.cluster.name}, prints u-request and that`,
  );
});

test('the credential deleted: the access has ended, the secret is what is left', () => {
  const err = new RevocationLeftError('failed', secretLeft(SECRET), { cause: new Error('x') });
  const advice = revocationAdvice(err, pendingRequest({ plan }));
  expect(advice).toMatch(
    /^ The access has ended already: acrbot deleted the credential of pull secret payments\/acr-auth, so it no longer signs in\. What is left is the secret itself/,
  );
  expect(advice).not.toContain('To end the access at once');
});

test('the credential found gone already (absent): the access has ended, and the report never says acrbot deleted it', () => {
  const err = new RevocationLeftError('failed', secretLeft(SECRET, 'absent'), { cause: new Error('x') });
  const advice = revocationAdvice(err, pendingRequest({ plan }));
  expect(advice).toMatch(
    /^ The access has ended already: the credential of pull secret payments\/acr-auth was already gone, so it no longer signs in\. What is left is the secret itself/,
  );
  expect(advice).not.toMatch(/acrbot deleted the credential|To end the access at once/);
});

test('kept, while Azure does not answer: retried, and the access ends when it answers, not "ended already"', () => {
  const unavailable = new CloudApiError('ServiceUnavailable', 503, 'unavailable');
  const advice = (credential: 'deleted' | 'kept') =>
    revocationAdvice(
      new RevocationLeftError('failed', secretLeft(SECRET, credential), { cause: unavailable }),
      pendingRequest({ plan }),
    );
  expect(advice('kept')).toContain('the access ends as soon as Azure answers');
  expect(advice('deleted')).toContain('the work is done as soon as Azure answers');
});

test('a token under its name that is not acrbot’s (notOurs, G15): none deleted, what to check, never "deleted the credential"', () => {
  const left = secretLeft(SECRET, 'notOurs', { token: 'acrbot-r-1 on registry contosoacr' });
  const advice = revocationAdvice(
    new RevocationLeftError('failed', left, { cause: new Error('x') }),
    pendingRequest({ plan }),
  );
  expect(advice).toBe(
    ` acrbot deleted no credential of pull secret payments/acr-auth: the ACR token acrbot-r-1 on registry contosoacr is not the one acrbot made (audit log: access.revoke.credential, notOurs), so acrbot left it in place for an operator to check, and to delete if nobody needs it. acrbot cannot confirm the access ended: if that token is acrbot's own after all, the secret still signs in. To end the access at once, delete by hand the secret itself in cluster ${plan.cluster.name} (and any imagePullSecrets entry acrbot added for it)${NO_UID_CHECK}; then delete it (kubectl delete secret -n payments acr-auth, in cluster ${plan.cluster.name}). The next attempt finds it gone and finishes.`,
  );
  expect(advice).not.toMatch(/acrbot deleted the credential|has ended already/);
});

test('a token whose registry is nowhere acrbot can see (unconfirmed): none deleted, never "deleted the credential"', () => {
  const left = secretLeft(SECRET, 'unconfirmed', { token: 'acrbot-r-1 on registry contosoacr' });
  const advice = revocationAdvice(
    new RevocationLeftError('failed', left, { cause: new Error('x') }),
    pendingRequest({ plan }),
  );
  expect(advice).toBe(
    ` acrbot deleted no credential of pull secret payments/acr-auth: ACR token acrbot-r-1 on registry contosoacr was not found where acrbot recorded it, and that registry is nowhere acrbot can see (audit log: access.revoke.credential, unconfirmed; the approvers were told what to check), so acrbot cannot confirm the access ended: if the registry was moved, the secret still signs in. To end the access at once, delete by hand the secret itself in cluster ${plan.cluster.name} (and any imagePullSecrets entry acrbot added for it)${NO_UID_CHECK}; then delete it (kubectl delete secret -n payments acr-auth, in cluster ${plan.cluster.name}). The next attempt finds it gone and finishes.`,
  );
  expect(advice).not.toMatch(/acrbot deleted the credential|has ended already/);
});

describe('the secret deleted, a service account PATCH failed: only the entries are left', () => {
  const cluster = plan.cluster.name;
  const advice = (credential: 'deleted' | 'absent' | 'kept' | 'notOurs' | 'unconfirmed', entriesLeft: string[]) =>
    revocationAdvice(
      new RevocationLeftError(
        'failed',
        secretLeft(SECRET, credential, { token: 'acrbot-r-1 on registry contosoacr', entriesLeft }),
        { cause: new Error('x') },
      ),
      pendingRequest({ plan }),
    );

  test('the credential deleted: the entry and the kubectl patch for it, nothing of the secret', () => {
    const text = advice('deleted', ['default']);
    expect(text).toBe(
      ` The access has ended already: acrbot deleted the credential of pull secret payments/acr-auth, so it no longer signs in, and the secret itself in cluster ${cluster}. What is left is the entry acr-auth in the imagePullSecrets of service account default in namespace payments of cluster ${cluster}, which grants nothing by itself: acrbot deletes it at its next attempt, or delete it by hand (kubectl patch serviceaccount default -n payments --type json -p '[{"op":"test","path":"/imagePullSecrets/N","value":{"name":"acr-auth"}},{"op":"remove","path":"/imagePullSecrets/N"}]', in cluster ${cluster}, N being the place of acr-auth in that list, counted from 0) and the next attempt finds it gone and finishes.`,
    );
    expect(text).not.toContain('kubectl delete secret');
  });

  test('the credential found gone already (absent): said so, and that acrbot deleted the secret', () => {
    const text = advice('absent', ['default']);
    expect(text).toContain(
      ` The access has ended already: the credential of pull secret payments/acr-auth was already gone, so it no longer signs in, and acrbot deleted the secret itself in cluster ${cluster}. What is left is the entry acr-auth`,
    );
    expect(text).not.toMatch(/acrbot deleted the credential|To end the access at once|kubectl delete secret/);
  });

  test('the patch first tests that the entry at N is still the secret, so a list changed since removes nothing', () => {
    const command = secretLeft(SECRET, 'deleted', { entriesLeft: ['default'] }).command;
    const patch = /-p '([^']*)'/.exec(command)![1];
    expect(JSON.parse(patch)).toEqual([
      { op: 'test', path: '/imagePullSecrets/N', value: { name: 'acr-auth' } },
      { op: 'remove', path: '/imagePullSecrets/N' },
    ]);
    // The report's text is scrubbed of secrets (a `"value":"…"` string would be): the patch is not.
    expect(scrubSecrets(command)).toBe(command);
  });

  test('several service accounts: each named, the patch for each', () => {
    const text = advice('deleted', ['default', 'builder']);
    expect(text).toContain('the imagePullSecrets of service accounts default, builder in namespace payments');
    expect(text).toContain(
      `kubectl patch serviceaccount default -n payments --type json -p '[{"op":"test","path":"/imagePullSecrets/N","value":{"name":"acr-auth"}},{"op":"remove","path":"/imagePullSecrets/N"}]' (and likewise for builder), in cluster ${cluster}`,
    );
  });

  test('a credential not deleted: the secret is, so the cluster no longer pulls with it; never "deleted the credential", nor "to end the access" by the entry', () => {
    const said = {
      kept: 'acrbot has no usable record of its credential, so it deleted none',
      notOurs:
        'acrbot deleted no credential of it: the ACR token acrbot-r-1 on registry contosoacr is not the one acrbot made (audit log: access.revoke.credential, notOurs), left in place for an operator to check',
      unconfirmed:
        'acrbot deleted no credential of it: ACR token acrbot-r-1 on registry contosoacr was not found where acrbot recorded it, and that registry is nowhere acrbot can see (audit log: access.revoke.credential, unconfirmed)',
    };
    for (const credential of ['kept', 'notOurs', 'unconfirmed'] as const) {
      const text = advice(credential, ['default']);
      expect(text).toContain(
        ` The access has ended already: acrbot deleted pull secret payments/acr-auth in cluster ${cluster}, so the cluster no longer pulls with it; ${said[credential]}. What is left is the entry acr-auth`,
      );
      expect(text).not.toMatch(/acrbot deleted the credential|To end the access at once|kubectl delete secret/);
    }
  });
});
