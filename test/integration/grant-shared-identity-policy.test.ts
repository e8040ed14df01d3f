/**
 * Two clusters whose kubelets run as one user-assigned identity share every role assignment made
 * to it (its name comes from scope, principal and role), end to end through the sandbox. Under
 * different rules (an auto-approving dev rule, a prod rule with approvers), a grant for the dev
 * cluster would be the very assignment the prod cluster needs its approvers for: it is refused
 * when asked, nothing is stored or assigned, and the refusal is audited. Under one rule, the
 * request is made as before and its card names the other cluster.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SANDBOX_CLUSTERS, SANDBOX_REGISTRIES, SANDBOX_USERS, sandboxResourceId } from '../../src/sandbox/fixtures';
import { writePolicyFile } from '../helpers/break-glass-policy';
import { type Harness, startHarness, users } from '../helpers/harness';
import { addProdKubeletSharer } from '../helpers/prod-kubelet-sharer';

const POLICY = `version: 1
rules:
  - id: prod
    match: { clusterTags: { env: prod } }
    approvers: { users: ["${SANDBOX_USERS.approver.objectId}"] }
  - id: dev-auto
    match: { clusterTags: { env: dev } }
    approvers: { users: ["${SANDBOX_USERS.approver.objectId}"] }
    autoApprove: { maxDuration: 1d }
  - id: default
    match: {}
    approvers: { users: ["${SANDBOX_USERS.approver.objectId}"] }
`;

const prod = SANDBOX_CLUSTERS.prod;
const contosoId = sandboxResourceId('registry', SANDBOX_REGISTRIES.contoso);

describe('a grant on a kubelet identity another cluster pulls with', () => {
  let h: Harness;
  let dir: string;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'acrbot-shared-identity-'));
    h = await startHarness({ ACRBOT_POLICY: writePolicyFile(dir, POLICY) });
  });
  afterEach(async () => {
    await h?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const kubeletAssignments = () =>
    h.app
      .sandbox!.arm.state.listRoleAssignments()
      .filter(
        (a: { scope: string; principalId: string }) =>
          a.scope.toLowerCase() === contosoId.toLowerCase() && a.principalId === prod.kubeletObjectId,
      );

  test('under different rules: refused naming both clusters and rules, nothing stored or assigned, audited', async () => {
    addProdKubeletSharer(h, {
      name: 'aks-dev-b',
      subscriptionId: SANDBOX_CLUSTERS.dev.subscriptionId,
      resourceGroup: 'rg-dev',
      env: 'dev',
    });
    const before = kubeletAssignments().length;
    const answer = await h.ask(users.requester, 'grant aks-dev-b contosoacr --for 1h deploy the dev build');
    expect(answer).toContain('Could not plan the grant');
    expect(answer).toContain(
      `also the pull identity of aks-prod (resource group rg-aks, subscription ${prod.subscriptionId}) under rule prod`,
    );
    expect(answer).toContain('aks-dev-b falls under rule dev-auto');
    expect(answer).toContain('@acrbot secret aks-dev-b contosoacr');
    expect(answer).toContain('--assign-kubelet-identity');
    await h.app.services.executor.drain();
    expect(await h.app.store.listByState(['pending', 'approved', 'executing', 'succeeded', 'failed'])).toHaveLength(0);
    expect(kubeletAssignments()).toHaveLength(before);
    const [entry] = await h.app.audit.latest(1);
    expect(entry).toMatchObject({ action: 'policy.refused.sharedIdentity', outcome: 'refused' });
    expect(entry.detail).toContain('aks-prod');
  });

  test('under one rule: the request is made, and its card says approving gives the other cluster pull too', async () => {
    addProdKubeletSharer(h, {
      name: 'aks-prod-b',
      subscriptionId: prod.subscriptionId,
      resourceGroup: 'rg-aks-b',
      env: 'prod',
    });
    const request = await h.requestGrant(users.requester, 'aks-prod-b contosoacr --for 1h deploy payments-api');
    expect(request).toMatchObject({ state: 'pending', policy: { ruleId: 'prod' } });
    if (request.plan.kind !== 'grant') throw new Error('a grant was planned');
    expect(request.plan.sharedWith?.clusters.map((c) => c.name)).toEqual(['aks-prod']);
    const card = h.connector.calls.map((c) => JSON.stringify(c.activity)).find((t) => t.includes(request.id))!;
    expect(card).toContain(
      `Also the pull identity of cluster aks-prod (resource group rg-aks, subscription ${prod.subscriptionId}): approving gives it pull on contosoacr too`,
    );
  });
});
