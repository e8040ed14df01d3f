/**
 * Clusters with local accounts (#11 §3): there the "cluster user" credential is an admin
 * certificate, so the secret flow refuses them unless ACRBOT_ALLOW_LOCAL_ACCOUNT_CLUSTERS=true,
 * before any credential exists. The sandbox's aks-dev has local accounts (no Entra ID); aks-prod
 * is Entra-only (`disableLocalAccounts: true`). Grants need no cluster credential and are unaffected.
 */
import {
  SANDBOX_BOT_OBJECT_ID,
  SANDBOX_CLUSTERS,
  SANDBOX_REGISTRIES,
  sandboxResourceId,
} from '../../src/sandbox/fixtures';
import { type Harness, startHarness, users } from '../helpers/harness';
import { azureWrites, replyMatching } from '../helpers/refusal-checks';

const contosoId = sandboxResourceId('registry', SANDBOX_REGISTRIES.contoso);
const prodId = sandboxResourceId('cluster', SANDBOX_CLUSTERS.prod);

describe('secret flow on clusters with local accounts', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  const writes = (harness: Harness) => azureWrites(harness, contosoId);

  test('refused without the switch: a sentence saying why and what to do, no request, 0 credentials', async () => {
    h = await startHarness({ ACRBOT_ALLOW_LOCAL_ACCOUNT_CLUSTERS: 'false' });
    const before = writes(h);
    const seq = (await h.app.audit.latest(1))[0]?.seq ?? 0;
    for (const kind of ['token', 'sp']) {
      const text = await replyMatching(
        h,
        `secret aks-dev contosoacr --namespace payments --kind ${kind} pull for payments-api`,
        /local accounts/,
      );
      expect(text).toContain('its local accounts are enabled');
      expect(text).toContain('admin certificate');
      expect(text).toContain('ACRBOT_ALLOW_LOCAL_ACCOUNT_CLUSTERS=true');
      expect(text).toContain('--disable-local-accounts');
    }
    expect(writes(h)).toEqual(before);
    expect(await h.app.store.listByState(['pending'], 10)).toEqual([]);
    // A refusal by acrbot's rules (G11 "every refusal"): one entry per refused request.
    const refusals = (await h.app.audit.latest(20)).filter((e) => e.seq > seq);
    expect(refusals.map((e) => [e.action, e.outcome, e.actor.objectId])).toEqual([
      ['plan.refused', 'cluster.localAccounts', users.requester.objectId],
      ['plan.refused', 'cluster.localAccounts', users.requester.objectId],
    ]);
    // A grant needs no cluster credential: unaffected.
    const grant = await h.requestGrant(users.requester, 'aks-dev contosoacr deploy payments-api');
    expect(grant.state).toBe('pending');
  });

  test('an Entra-only cluster (local accounts disabled) needs no switch', async () => {
    h = await startHarness({ ACRBOT_ALLOW_LOCAL_ACCOUNT_CLUSTERS: 'false' });
    const text = await replyMatching(
      h,
      'secret aks-prod contosoacr --namespace payments pull for payments-api',
      /Pull secret .* in |local accounts/,
    );
    expect(text).not.toContain('local accounts');
    expect(text).toMatch(/R-[2-9A-Z]{8}/);
  });

  test('an Entra ID cluster with local accounts still enabled needs no switch: its user credential is kubelogin, so acrbot uses its own Entra token', async () => {
    h = await startHarness({ ACRBOT_ALLOW_LOCAL_ACCOUNT_CLUSTERS: 'false' });
    h.app.sandbox!.arm.state.updateCluster(prodId, { disableLocalAccounts: false });
    const text = await replyMatching(
      h,
      'secret aks-prod contosoacr --namespace payments pull for payments-api',
      /Pull secret .* in |local accounts/,
    );
    expect(text).not.toContain('local accounts');
    const id = /R-[2-9A-HJKMNP-TV-Z]{8}/.exec(text)![0];
    await h.click(users.approver, 'approve', { requestId: id });
    expect((await h.settle(id)).state).toBe('succeeded');
    // The secret was written with acrbot's Entra token, not a certificate from the kubeconfig.
    const writesToCluster = h.app.sandbox!.kubernetes['aks-prod'].requests.filter(
      (r: { method: string }) => r.method === 'POST' || r.method === 'PUT',
    );
    expect(writesToCluster.length).toBeGreaterThan(0);
    expect(new Set(writesToCluster.map((r: { user?: string }) => r.user))).toEqual(new Set([SANDBOX_BOT_OBJECT_ID]));
  });

  test('re-checked at execution: local accounts enabled between plan and approval → refused, nothing created', async () => {
    h = await startHarness({ ACRBOT_ALLOW_LOCAL_ACCOUNT_CLUSTERS: 'false' });
    const text = await replyMatching(
      h,
      'secret aks-prod contosoacr --namespace payments pull for payments-api',
      /Pull secret .* in |local accounts/,
    );
    const id = /R-[2-9A-HJKMNP-TV-Z]{8}/.exec(text)![0];
    // Hours later someone turns local accounts back on and Entra ID off; then the approval comes.
    h.app.sandbox!.arm.state.updateCluster(prodId, { disableLocalAccounts: false, aad: false });
    const before = writes(h);
    const k8sBefore = h.app.sandbox!.kubernetes['aks-prod'].requests.length;
    await h.click(users.approver, 'approve', { requestId: id });
    const done = await h.settle(id);
    expect(done.state).toBe('failed');
    expect(done.outcome?.errorCode).toBe('cluster.localAccounts');
    expect(done.outcome?.error).toContain(
      'its local accounts are enabled without Entra ID integration (this changed since this request was planned',
    );
    expect(done.outcome?.error).toContain('ACRBOT_ALLOW_LOCAL_ACCOUNT_CLUSTERS=true');
    // No credential, no cluster credential read, no Kubernetes call.
    expect(writes(h)).toEqual(before);
    expect(h.app.sandbox!.kubernetes['aks-prod'].requests.length).toBe(k8sBefore);
    expect(done.created ?? []).toEqual([]);
    const refusal = (await h.app.audit.forRequest(id)).find((e) => e.outcome === 'refused');
    expect(refusal).toMatchObject({ action: 'kubernetes.write.secret', detail: 'cluster.localAccounts' });
  });

  test('allowed with ACRBOT_ALLOW_LOCAL_ACCOUNT_CLUSTERS=true: the secret is written', async () => {
    h = await startHarness({ ACRBOT_ALLOW_LOCAL_ACCOUNT_CLUSTERS: 'true' });
    const text = await replyMatching(
      h,
      'secret aks-dev contosoacr --namespace payments pull for payments-api',
      /Pull secret .* in |local accounts/,
    );
    expect(text).not.toContain('local accounts');
    const id = /R-[2-9A-HJKMNP-TV-Z]{8}/.exec(text)![0];
    await h.click(users.approver, 'approve', { requestId: id });
    expect((await h.settle(id)).state).toBe('succeeded');
    expect(h.app.sandbox!.arm.state.listTokens(contosoId)).toHaveLength(1);
  });
});
