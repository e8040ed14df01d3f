/**
 * A revocation that cannot finish because one of acrbot's rights was taken away, after part of it
 * went through: what the approvers are told is left (not the credential acrbot deleted already),
 * what the `failed` entry records as deleted (with its request ids) and refused (with the
 * refusal's request id), and what the entry of the retry that finishes says. Through the real
 * server, the scheduler and the sandbox emulators, with a test clock.
 */
import { cardText } from '../helpers/capturing-connector';
import { users } from '../helpers/harness';
import {
  advance,
  contosoId,
  grant,
  grantedSecretOnAksDev,
  h,
  MINUTE,
  secretServicePrincipal,
  start,
  tokens,
  useLifecycleHooks,
} from '../helpers/lifecycle';

const SCOPE_MAP_DELETE = 'Microsoft.ContainerRegistry/registries/scopeMaps/delete';
const ROLE_ASSIGNMENT_DELETE = 'Microsoft.Authorization/roleAssignments/delete';

/** The "Needs attention" report of `id` after `attempts` attempts, as posted to the approvers. */
async function report(id: string, attempts = 1): Promise<string> {
  const said = `not done after ${attempts} attempt${attempts === 1 ? '' : 's'}`;
  const posted = await h.connector.waitFor(
    (c) => c.op !== 'update' && /Needs attention/.test(cardText(c.activity)) && cardText(c.activity).includes(said),
    5000,
    `the report of ${id} after ${attempts} attempts`,
  );
  return cardText(posted.activity);
}

/** The entries of `action` in `id`'s trail. */
async function entries(id: string, action: string) {
  return (await h.app.audit.forRequest(id)).filter((e) => e.action === action);
}

/** The end of `id` reached, and one attempt of its revocation run. */
async function expireOnce(): Promise<void> {
  advance(2 * MINUTE);
  await h.app.scheduler.runDue();
}

describe('a revocation with a right taken away part way', () => {
  useLifecycleHooks();

  test("secrets' delete forbidden in the namespace: the token is gone, the report names the secret, not the token", async () => {
    const { id, k8s } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --for 2m pull for payments-api',
    );
    k8s.faults.inject({ verb: 'delete', resource: 'secrets', status: 403, times: Infinity });
    h.connector.clear();
    await expireOnce();

    const text = await report(id);
    expect(tokens()).toEqual([]);
    expect(text).toContain('The access has ended already');
    expect(text).toContain('kubectl delete secret -n payments acr-auth, in cluster aks-dev');
    expect(text).not.toContain('To end the access at once');
    expect(text).not.toContain('az acr token delete');
  });

  test('a scope map DELETE refused after the token: recorded with both request ids, the scope map named as what is left', async () => {
    const { id } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --repositories payments/api --for 2m pull for payments-api',
    );
    h.app.sandbox!.arm.state.denyAction(contosoId, SCOPE_MAP_DELETE);
    h.connector.clear();
    await expireOnce();

    const text = await report(id);
    const token = `acrbot-${id.toLowerCase()}`;
    expect(tokens()).toEqual([]);
    const [failed] = (await entries(id, 'access.revoke.credential')).filter((e) => e.outcome === 'failed');
    expect(failed.detail).toBe(
      `token ${token} deleted; the DELETE of scope map ${token} was refused; the next attempt of this revocation looks again`,
    );
    // What the next attempt reads back: the token's id (as the entry's targetIds name it), not the words.
    expect(failed.facts).toEqual({ deleted: [failed.targetIds[0]] });
    expect(failed.targetIds[0]).toMatch(new RegExp(`/tokens/${token}$`));
    // The token's DELETE, then the refused one's, whose id the report gives too.
    expect(failed.correlationIds).toHaveLength(2);
    const refusedId = failed.correlationIds![1];
    expect(text).toContain(
      `last answer: 403 AuthorizationFailed, denied action ${SCOPE_MAP_DELETE}, Azure request id ${refusedId}`,
    );
    // ARM's message names the client and the scope: for the log, not the card.
    expect(text).not.toContain('does not have authorization');
    expect(text).toContain(`The access has ended already: ACR token ${token} on registry contosoacr is deleted`);
    expect(text).toMatch(
      new RegExp(`az acr scope-map delete --subscription \\S+ --registry contosoacr --name ${token} --yes`),
    );
    expect(text).not.toContain('To end the access at once');
    expect(text).not.toContain('az acr token delete');
    expect(text).not.toContain('Reader');

    h.app.sandbox!.arm.state.allowAction(contosoId, SCOPE_MAP_DELETE);
    await expireOnce();
    expect((await h.app.store.get(id))?.state).toBe('revoked');
    const last = (await entries(id, 'access.revoke.credential')).at(-1)!;
    expect([last.outcome, last.detail]).toEqual([
      'deleted',
      'scope map (the token was deleted by an earlier attempt of this revocation)',
    ]);
  });

  test("an sp application's DELETE refused by Graph: the role assignment recorded as deleted, Graph's permission named", async () => {
    const { id, k8s } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --kind sp --for 2m pull for payments-api',
    );
    const { appId } = secretServicePrincipal(k8s);
    const graph = h.app.sandbox!.graph;
    graph.faults.add({
      operation: 'applications.delete',
      status: 403,
      code: 'Authorization_RequestDenied',
      count: Infinity,
    });
    h.connector.clear();
    await expireOnce();

    const text = await report(id);
    const [failed] = (await entries(id, 'access.revoke.credential')).filter((e) => e.outcome === 'failed');
    expect(failed.detail).toMatch(
      /^role assignment \S+ deleted; the DELETE of application \S+ was refused; the next attempt of this revocation looks again$/,
    );
    expect(failed.facts).toEqual({ deleted: [failed.targetIds[1]] });
    expect(failed.targetIds[1]).toMatch(/\/roleAssignments\/\S+$/);
    // The role assignment's DELETE and Graph's refusal.
    expect(failed.correlationIds).toHaveLength(2);
    expect(text).toContain('Microsoft Graph refused (403 Authorization_RequestDenied)');
    expect(text).toContain('Application.ReadWrite.OwnedBy, or is no longer an owner of the application');
    expect(text).not.toContain('Azure refused');
    expect(text).not.toContain('Reader');
    expect(text).toContain(
      `The access has ended already: the role assignment acrbot made for service principal ${appId} is deleted`,
    );
    expect(text).toContain('az ad app delete --id');
    expect(text).not.toContain('To end the access at once');

    graph.faults.clear();
    await expireOnce();
    expect((await h.app.store.get(id))?.state).toBe('revoked');
    const last = (await entries(id, 'access.revoke.credential')).at(-1)!;
    expect([last.outcome, last.detail]).toEqual([
      'deleted',
      'application (its role assignment was deleted by an earlier attempt of this revocation)',
    ]);
  });

  test("a grant's role assignment DELETE refused: the failed entry and the report carry the refusal's request id and action", async () => {
    await start();
    const request = await grant(users.requester, 'aks-dev contosoacr --for 2m pull for payments-api');
    h.app.sandbox!.arm.state.denyAction(contosoId, ROLE_ASSIGNMENT_DELETE);
    h.connector.clear();
    await expireOnce();

    const text = await report(request.id);
    const [failed] = (await entries(request.id, 'access.revoke.roleAssignment')).filter((e) => e.outcome === 'failed');
    expect(failed.correlationIds).toHaveLength(1);
    expect(text).toContain(
      `last answer: 403 AuthorizationFailed, denied action ${ROLE_ASSIGNMENT_DELETE}, Azure request id ${failed.correlationIds![0]}`,
    );
    expect(text).not.toContain('does not have authorization');
  });
});
