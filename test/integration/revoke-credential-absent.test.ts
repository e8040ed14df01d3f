/**
 * A revocation records only the deletions it made: a secret's credential it does not find (a
 * rotation retired it, or someone deleted it outside acrbot) is audited `absent`, not `deleted`,
 * and the revocation still succeeds (nothing to delete is fine), as the clean-ups record it.
 */
import { credentialOf } from '../../src/domain/secret-ownership';
import { encodeCredentialRef } from '../../src/domain/secret-credential';
import { cardText } from '../helpers/capturing-connector';
import { users } from '../helpers/harness';
import {
  advance,
  assignmentsOn,
  contosoId,
  extendApproved,
  grantedSecretOnAksDev,
  jobOf,
  h,
  MINUTE,
  secretServicePrincipal,
  stateOnceClickWorkDone,
  tokens,
  useLifecycleHooks,
} from '../helpers/lifecycle';

useLifecycleHooks();

/** The ARM id of a token (or scope map, `kind`) of that name on contosoacr: what the entries name. */
const onRegistry = (name: string, kind = 'tokens') => `${contosoId}/${kind}/${name}`;

/** The `access.revoke.credential` entries of `id` but the `deleting` marks: outcome, target and detail. */
async function credentialEntries(id: string) {
  return (await h.app.audit.forRequest(id))
    .filter((e) => e.action === 'access.revoke.credential' && e.outcome !== 'deleting')
    .map((e) => ({ outcome: e.outcome, targetIds: e.targetIds, detail: e.detail }));
}

test('a token deleted outside acrbot: the revocation succeeds and audits it absent, not deleted', async () => {
  const { id, k8s } = await grantedSecretOnAksDev(
    'aks-dev contosoacr --namespace payments --repositories team/app --for 2m pull for payments-api',
  );
  const token = `acrbot-${id.toLowerCase()}`;
  h.app.sandbox!.arm.state.getRegistry(contosoId)!.tokens.delete(token);

  advance(2 * MINUTE);
  await h.app.scheduler.runDue();
  expect((await h.app.store.get(id))!.state).toBe('revoked');
  expect(k8s.getObject('secrets', 'payments', 'acr-auth')).toBeUndefined();
  // Its scope map was there and is deleted: that deletion is acrbot's, and said so.
  expect(await credentialEntries(id)).toEqual([
    {
      outcome: 'deleted',
      targetIds: [onRegistry(token), onRegistry(token, 'scopeMaps')],
      detail: 'scope map (the token was not found: deleted already)',
    },
  ]);
});

test('a token and its scope map both gone: absent, nothing deleted', async () => {
  const { id } = await grantedSecretOnAksDev('aks-dev contosoacr --namespace payments --for 2m pull for payments-api');
  const token = `acrbot-${id.toLowerCase()}`;
  h.app.sandbox!.arm.state.getRegistry(contosoId)!.tokens.delete(token);

  advance(2 * MINUTE);
  await h.app.scheduler.runDue();
  expect((await h.app.store.get(id))!.state).toBe('revoked');
  expect(await credentialEntries(id)).toEqual([
    { outcome: 'absent', targetIds: [onRegistry(token)], detail: 'token not found: deleted already; nothing deleted' },
  ]);
});

/**
 * A `--kind sp` secret whose Entra application someone deleted by hand (its service principal
 * goes with it), soft-deleted only or purged too, and the AcrPull assignment of that service
 * principal on the registry, which Azure keeps: what the revocation then deletes is audited.
 */
async function spApplicationDeletedByHand(purged: boolean) {
  const { id, k8s } = await grantedSecretOnAksDev(
    'aks-dev contosoacr --kind sp --namespace payments --for 2m pull for payments-api',
  );
  const { appId, directory, sp } = secretServicePrincipal(k8s);
  // The run's reference and the one rebuilt from the records carry the service principal's id
  // alike, keys in the same order: the two are compared as encoded text (retirePrevious).
  const granted = (await h.app.store.get(id))!;
  expect(credentialOf(granted)).toMatchObject({ servicePrincipalId: sp.id });
  expect(granted.outcome?.credentialRef).toBe(encodeCredentialRef(credentialOf(granted)!));
  const ofSp = () => assignmentsOn(contosoId).filter((a: { principalId: string }) => a.principalId === sp.id);
  expect(ofSp()).toHaveLength(1);
  const assignmentId: string = ofSp()[0].id;
  const app = directory.getApplicationByAppId(appId)!;
  directory.deleteApplication(app.id);
  if (purged) directory.purgeDeletedItem(app.id);
  // Azure keeps, and lists, the assignment of the deleted service principal.
  expect(ofSp()).toHaveLength(1);

  advance(2 * MINUTE);
  await h.app.scheduler.runDue();
  expect((await h.app.store.get(id))!.state).toBe('revoked');
  return { id, app, ofSp, assignmentId };
}

test('--kind sp: an application deleted outside acrbot and purged: its role assignment, left on the registry, is deleted by the recorded service principal id', async () => {
  const { id, app, ofSp, assignmentId } = await spApplicationDeletedByHand(true);
  expect(ofSp()).toEqual([]);
  expect(await credentialEntries(id)).toEqual([
    {
      outcome: 'deleted',
      targetIds: [app.id, assignmentId],
      detail: 'role assignment (the application was not in Microsoft Graph (live or deleted))',
    },
  ]);
});

test('--kind sp: an application deleted outside acrbot (soft-deleted only): acrbot purges it and deletes its role assignment', async () => {
  const { id, app, ofSp, assignmentId } = await spApplicationDeletedByHand(false);
  expect(ofSp()).toEqual([]);
  expect(h.app.sandbox!.directory.deletedItems.has(app.id)).toBe(false);
  expect(await credentialEntries(id)).toEqual([
    { outcome: 'deleted', targetIds: [app.id, assignmentId], detail: 'application (and its role assignment)' },
  ]);
});

test('--kind sp: the application and its role assignment both deleted outside acrbot: absent, saying where acrbot looked', async () => {
  const { id, k8s } = await grantedSecretOnAksDev(
    'aks-dev contosoacr --kind sp --namespace payments --for 2m pull for payments-api',
  );
  const { appId, directory, sp } = secretServicePrincipal(k8s);
  const app = directory.getApplicationByAppId(appId)!;
  directory.deleteApplication(app.id);
  directory.purgeDeletedItem(app.id);
  const arm = h.app.sandbox!.arm.state;
  const ofSp = assignmentsOn(contosoId).filter((a: { principalId: string }) => a.principalId === sp.id);
  for (const a of ofSp) arm.roleAssignments.delete(a.name);

  advance(2 * MINUTE);
  await h.app.scheduler.runDue();
  expect((await h.app.store.get(id))!.state).toBe('revoked');
  expect(await credentialEntries(id)).toEqual([
    {
      outcome: 'absent',
      targetIds: [app.id, ofSp[0].id],
      detail:
        'application not in Microsoft Graph (live or deleted), its role assignment not found on the registry; nothing deleted',
    },
  ]);
});

test('revoking a rotated access: the original’s credential, retired by the rotation, is absent; the extension’s deleted', async () => {
  const { id } = await grantedSecretOnAksDev('aks-dev contosoacr --namespace payments --for 2m pull for payments-api');
  const extensionId = await extendApproved(id, '--for 1h rollout still running');
  expect(tokens()).toEqual([`acrbot-${extensionId.toLowerCase()}`]);
  await h.click(users.requester, 'revokeConfirm', { requestId: id, reason: 'leaked in a log' });
  expect(await stateOnceClickWorkDone(id)).toBe('revoked');
  expect(tokens()).toEqual([]);
  expect(await credentialEntries(extensionId)).toEqual([
    { outcome: 'deleted', targetIds: [onRegistry(`acrbot-${extensionId.toLowerCase()}`)], detail: 'token' },
  ]);
  expect(await credentialEntries(id)).toEqual([
    {
      outcome: 'absent',
      targetIds: [onRegistry(`acrbot-${id.toLowerCase()}`)],
      detail: 'token not found: deleted already; nothing deleted',
    },
  ]);
});

test('absent at a first attempt whose cluster step failed: the retry deletes nothing made since under the name', async () => {
  const { id, k8s } = await grantedSecretOnAksDev(
    'aks-dev contosoacr --namespace payments --for 30d pull for payments-api',
  );
  const tokenName = `acrbot-${id.toLowerCase()}`;
  const registry = h.app.sandbox!.arm.state.getRegistry(contosoId)!;
  const made = registry.tokens.get(tokenName)!;
  registry.tokens.delete(tokenName);
  const unreachable = k8s.faults.inject({ drop: true, times: Infinity });
  await h.click(users.requester, 'revokeConfirm', { requestId: id, reason: 'token leaked' });
  await h.app.services.background.drain();
  expect((await jobOf(`access.expire:${id}`))!.attempts).toBe(1);
  expect((await h.app.store.get(id))!.state).toBe('succeeded');
  // Someone makes a token under the same name meanwhile: acrbot's records vouch for none.
  registry.tokens.set(tokenName, { ...made, passwords: [] });
  unreachable();
  advance(2 * MINUTE);
  await h.app.scheduler.runDue();
  expect((await h.app.store.get(id))!.state).toBe('revoked');
  expect(tokens()).toEqual([tokenName]);
  expect((await credentialEntries(id)).map((e) => `${e.outcome}: ${e.detail}`)).toEqual([
    'absent: token not found: deleted already; nothing deleted',
    'absent: not there when an earlier attempt of this revocation looked; nothing deleted',
  ]);
});

test('the revoke confirmation of a rotated access lists the credential the revocation deletes, not the one the rotation deleted', async () => {
  const { id } = await grantedSecretOnAksDev('aks-dev contosoacr --namespace payments --for 2m pull for payments-api');
  const extensionId = await extendApproved(id, '--for 1h rollout still running');
  h.connector.clear();
  await h.say(users.requester, `revoke ${id} done early`);
  const confirm = await h.connector.waitFor((c) => /Revoke .*\?/.test(cardText(c.activity)), 5000, 'confirmation card');
  const text = cardText(confirm.activity);
  expect(text).toContain(`acrbot-${extensionId.toLowerCase()}`);
  expect(text).not.toContain(`acrbot-${id.toLowerCase()}`);
});
