/**
 * A `--kind token` run whose token is not enabled, against the emulated ARM, Graph and
 * Kubernetes API server: a registry where an Azure Policy (Modify effect, the built-in
 * "Configure container registries to disable repository scoped access token") creates every
 * token disabled and answers success, and a resumed run whose token someone disabled meanwhile.
 * Neither is reported as a working secret, nor is a disabled token enabled again; an extension
 * keeps the credential its secret already holds.
 */
import { setRegistryTokenRules } from '../../src/sandbox/arm/registry-token-rules';
import { SANDBOX_REGISTRIES, sandboxResourceId } from '../../src/sandbox/fixtures';
import { cardText } from '../helpers/capturing-connector';
import { pullSecretApproved } from '../helpers/grant-approved';
import { type Harness, startHarness, users } from '../helpers/harness';
import { within } from '../helpers/within';

const contosoId = sandboxResourceId('registry', SANDBOX_REGISTRIES.contoso);

describe('a token that is not enabled', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => h.stop());

  const k8s = () => h.app.sandbox!.kubernetes['aks-dev'];
  const registry = () => h.app.sandbox!.arm.state.getRegistry(contosoId)!;
  const tokens = () => h.app.sandbox!.arm.state.listTokens(contosoId).map((t) => `${t.name}:${t.status}`);
  const auditOf = async (id: string) => (await h.app.audit.forRequest(id)).map((a) => `${a.action}:${a.outcome}`);
  /** Whether the secret's password signs in to contosoacr as its token; undefined: no secret. */
  const secretSignsIn = (): boolean | undefined => {
    const secret = k8s().getObject('secrets', 'payments', 'acr-auth') as unknown as
      { data: Record<string, string> } | undefined;
    if (!secret) return undefined;
    const config = JSON.parse(Buffer.from(secret.data['.dockerconfigjson']!, 'base64').toString('utf8'));
    const entry = config.auths['contosoacr.azurecr.io'] as { username: string; password: string };
    return h.app.sandbox!.arm.state.verifyTokenPassword(contosoId, entry.username, entry.password);
  };

  test('created disabled by a policy: refused before any password, the token deleted, no secret', async () => {
    setRegistryTokenRules(registry(), { tokensCreatedDisabled: true });
    const r = await h.requestSecret(users.requester, 'aks-dev contosoacr --namespace payments pull for payments-api');
    await h.click(users.approver, 'approve', { requestId: r.id });
    const done = await h.settle(r.id);
    expect(done.state).toBe('failed');
    expect(done.outcome?.errorCode).toBe('azure.tokenDisabled');
    expect(done.outcome?.error).toMatch(/Registry contosoacr created acrbot's token acrbot-r-\w+ disabled/);
    expect(done.outcome?.error).toMatch(/Azure Policy/);
    expect(done.outcome?.error).toMatch(/--kind sp/);
    expect(done.outcome?.error).toMatch(/The credential acrbot had created was deleted again\.$/);
    expect(secretSignsIn()).toBeUndefined();
    expect(tokens()).toEqual([]);
    const audit = await auditOf(r.id);
    expect(audit).toContain('azure.write.token:refused');
    expect(audit.some((a) => a.startsWith('azure.write.generateCredentials'))).toBe(false);
  });

  test('an extension on a registry that now creates tokens disabled keeps the working credential', async () => {
    const r = await pullSecretApproved(h, 'aks-dev contosoacr --namespace payments --for 2h pull for payments-api');
    const before = tokens();
    expect(before).toEqual([expect.stringMatching(/:enabled$/)]);
    setRegistryTokenRules(registry(), { tokensCreatedDisabled: true });
    h.connector.clear();
    await h.say(users.requester, `extend ${r.id} --for 4h rollout still running`);
    const card = await h.connector.waitFor(
      (c) => c.op !== 'update' && /rotation/.test(cardText(c.activity)),
      5000,
      'the rotation card',
    );
    const extId = [...cardText(card.activity).matchAll(/R-[2-9A-HJKMNP-TV-Z]{8}/g)]
      .map((m) => m[0])
      .find((x) => x !== r.id)!;
    await h.click(users.approver, 'approve', { requestId: extId });
    const done = await h.settle(extId);
    expect(done.state).toBe('failed');
    expect(done.outcome?.errorCode).toBe('azure.tokenDisabled');
    // The secret still holds the first request's credential, which still signs in.
    expect(secretSignsIn()).toBe(true);
    expect(tokens()).toEqual(before);
  });

  test('a resumed run whose token was disabled meanwhile fails and does not enable it again', async () => {
    const r = await h.requestSecret(users.requester, 'aks-dev contosoacr --namespace payments cluster comes back');
    // The first attempt's secret write gets no answer: the run waits on the cluster, its token made.
    k8s().faults.inject({ method: 'POST', resource: 'secrets', drop: true });
    await h.click(users.approver, 'approve', { requestId: r.id });
    await within(h.app.services.executor.drain(), 'the first attempt to stop', 15_000);
    expect((await h.app.store.get(r.id))?.waiting).toBeDefined();
    const [token] = [...registry().tokens.values()];
    token!.status = 'disabled'; // az acr token update --status disabled, say in an incident
    await h.app.services.executor.resumeInterrupted();
    const done = await h.settle(r.id);
    expect(done.state).toBe('failed');
    expect(done.outcome?.errorCode).toBe('azure.tokenDisabled');
    expect(done.outcome?.error).toMatch(
      /which an earlier attempt of this request created on registry contosoacr, is now disabled/,
    );
    expect(done.outcome?.error).toMatch(/does not enable again a token someone disabled/);
    // Deleted as acrbot's own, never enabled again, and no secret with it.
    expect(tokens()).toEqual([]);
    expect(secretSignsIn()).toBeUndefined();
    const audit = await auditOf(r.id);
    expect(audit.filter((a) => a === 'azure.write.token:created')).toHaveLength(1);
    expect(audit).toContain('azure.write.token:refused');
  });

  test('a resumed run whose token is still enabled uses it without PUTting it again', async () => {
    const r = await h.requestSecret(users.requester, 'aks-dev contosoacr --namespace payments cluster comes back');
    k8s().faults.inject({ method: 'POST', resource: 'secrets', drop: true });
    await h.click(users.approver, 'approve', { requestId: r.id });
    await within(h.app.services.executor.drain(), 'the first attempt to stop', 15_000);
    const [token] = [...registry().tokens.values()];
    const created = token!.creationDate;
    // A PUT would be seen: the policy would make the token disabled.
    setRegistryTokenRules(registry(), { tokensCreatedDisabled: true });
    await h.app.services.executor.resumeInterrupted();
    const done = await h.settle(r.id);
    expect(done.state).toBe('succeeded');
    expect(tokens()).toEqual([expect.stringMatching(/:enabled$/)]);
    expect(registry().tokens.values().next().value!.creationDate).toBe(created);
    expect(secretSignsIn()).toBe(true);
    const audit = await auditOf(r.id);
    expect(audit.filter((a) => a === 'azure.write.token:created')).toHaveLength(1);
  });
});
