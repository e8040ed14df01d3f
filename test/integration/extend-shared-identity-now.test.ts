/**
 * An extension keeps its grant's role assignment, which is the kubelet identity's: every cluster
 * pulling with that identity keeps pull with it. End to end through the sandbox: a grant made
 * while no other cluster pulled with aks-prod's identity, then a cluster under another rule given
 * that identity in Azure, then `extend`: refused as a new grant of that identity would be (the
 * clusters sharing it are looked for again, not copied from the original plan), and audited.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SANDBOX_CLUSTERS, SANDBOX_USERS } from '../../src/sandbox/fixtures';
import { writePolicyFile } from '../helpers/break-glass-policy';
import { type Harness, startHarness, users } from '../helpers/harness';
import { addProdKubeletSharer } from '../helpers/prod-kubelet-sharer';

const POLICY = `version: 1
rules:
  - id: prod
    match: { clusterTags: { env: prod } }
    approvers: { users: ["${SANDBOX_USERS.approver.objectId}"] }
  - id: dev
    match: { clusterTags: { env: dev } }
    approvers: { users: ["${SANDBOX_USERS.approver.objectId}"] }
  - id: default
    match: {}
    approvers: { users: ["${SANDBOX_USERS.approver.objectId}"] }
`;

describe('extending a grant whose identity a cluster under another rule has started pulling with', () => {
  let h: Harness;
  let dir: string;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'acrbot-extend-shared-'));
    h = await startHarness({ ACRBOT_POLICY: writePolicyFile(dir, POLICY) });
  });
  afterEach(async () => {
    await h?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('refused naming that cluster and its rule; no extension stored; audited', async () => {
    const original = await h.requestGrant(users.requester, 'aks-prod contosoacr --for 1d deploy payments-api');
    expect(original.plan.kind === 'grant' && original.plan.sharedWith).toBeFalsy();
    await h.click(users.approver, 'approve', { requestId: original.id });
    expect((await h.settle(original.id)).state).toBe('succeeded');

    // Since the grant: a dev cluster's kubelet runs as aks-prod's user-assigned identity.
    addProdKubeletSharer(h, {
      subscriptionId: SANDBOX_CLUSTERS.dev.subscriptionId,
      resourceGroup: 'rg-dev',
      name: 'aks-dev-b',
      env: 'dev',
    });

    const answer = await h.ask(users.requester, `extend ${original.id} --for 1d release still rolling out`);
    expect(answer).toContain('also the pull identity of aks-dev-b');
    expect(answer).toContain('under rule dev');
    await h.app.services.executor.drain();
    const open = await h.app.store.listByState(['pending', 'approved', 'executing']);
    expect(open.filter((r) => r.extendsRequestId === original.id)).toHaveLength(0);
    const [entry] = await h.app.audit.latest(1);
    expect(entry).toMatchObject({ action: 'policy.refused.sharedIdentity', outcome: 'refused' });
    expect(entry.detail).toContain('aks-dev-b');
  });
});
