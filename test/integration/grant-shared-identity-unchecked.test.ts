/**
 * A subscription whose clusters could not be listed (a 503 burst, or acrbot without Reader
 * there) leaves unknown whether a cluster there pulls with the identity a grant is for. An
 * auto-approving rule then does not approve by itself: the dev cluster below shares aks-prod's
 * kubelet identity, and aks-prod's subscription cannot be listed, so an automatic dev grant would
 * give prod pull with no prod approver. Its approvers decide instead; a rule naming none refuses;
 * break-glass runs (its reviewers' card says sharing could not be checked).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  SANDBOX_CLUSTERS,
  SANDBOX_ONCALL_GROUP_ID,
  SANDBOX_REGISTRIES,
  SANDBOX_SUBSCRIPTIONS,
  SANDBOX_USERS,
  sandboxResourceId,
} from '../../src/sandbox/fixtures';
import { writePolicyFile } from '../helpers/break-glass-policy';
import { type Harness, startHarness, users } from '../helpers/harness';
import { addProdKubeletSharer } from '../helpers/prod-kubelet-sharer';
import type { TeamsUser } from '../helpers/teams-activities';

const prod = SANDBOX_CLUSTERS.prod;
const contosoId = sandboxResourceId('registry', SANDBOX_REGISTRIES.contoso);
const devB = `/subscriptions/${SANDBOX_SUBSCRIPTIONS.data}/resourceGroups/rg-dev/providers/Microsoft.ContainerService/managedClusters/aks-dev-b`;

/** The reviewer's policy: prod needs its approver, dev approves by itself; `devApprovers` false: dev-auto names nobody. */
function policyYaml(devApprovers: boolean, breakGlass = false): string {
  const approver = `approvers: { users: ["${SANDBOX_USERS.approver.objectId}"] }`;
  return `version: 1
rules:
  - id: prod
    match: { clusterTags: { env: prod } }
    ${approver}
  - id: dev-auto
    match: { clusterTags: { env: dev } }
${devApprovers ? `    ${approver}\n` : ''}    autoApprove: { maxDuration: 1d }
  - id: default
    match: {}
    ${approver}
${breakGlass ? `breakGlass:\n  groups: ["${SANDBOX_ONCALL_GROUP_ID}"]\n  maxDuration: 4h\n` : ''}`;
}

describe('a grant whose identity may be shared in a subscription acrbot could not list', () => {
  let h: Harness;
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'acrbot-shared-unchecked-'));
  });
  afterEach(async () => {
    await h?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Starts acrbot with `yaml`, adds aks-dev-b (env=dev, aks-prod's kubelet) and fails every listing of aks-prod's subscription. */
  async function start(yaml: string): Promise<void> {
    h = await startHarness({ ACRBOT_POLICY: writePolicyFile(dir, yaml) });
    const arm = h.app.sandbox!.arm;
    arm.state.addResourceGroup(SANDBOX_SUBSCRIPTIONS.data, 'rg-dev');
    addProdKubeletSharer(h, {
      subscriptionId: SANDBOX_SUBSCRIPTIONS.data,
      resourceGroup: 'rg-dev',
      name: 'aks-dev-b',
      env: 'dev',
    });
    expect(prod.subscriptionId).toBe(SANDBOX_SUBSCRIPTIONS.platform);
    arm.faults.add({
      operation: 'managedClusters.list',
      status: 503,
      count: Infinity,
      pathIncludes: SANDBOX_SUBSCRIPTIONS.platform,
    });
  }

  const prodKubeletPulls = () =>
    h.app
      .sandbox!.arm.state.listRoleAssignments()
      .filter(
        (a: { scope: string; principalId: string }) =>
          a.scope.toLowerCase() === contosoId.toLowerCase() && a.principalId === prod.kubeletObjectId,
      );

  test('dev-auto with approvers: not auto-approved; pending for them, granted once one approves', async () => {
    await start(policyYaml(true));
    const request = await h.requestGrant(users.requester, `${devB} contosoacr --for 1h deploy the dev build`);
    expect(request).toMatchObject({ state: 'pending', policy: { ruleId: 'dev-auto', approvalsRequired: 1 } });
    expect(request.policy?.autoApproved).toBeUndefined();
    expect(request.plan.kind === 'grant' && request.plan.sharedWith?.unchecked).toEqual([
      SANDBOX_SUBSCRIPTIONS.platform,
    ]);
    await h.app.services.executor.drain();
    expect(prodKubeletPulls()).toHaveLength(0);
    const card = h.connector.calls.map((c) => JSON.stringify(c.activity)).find((t) => t.includes(request.id))!;
    expect(card).toContain(`could not be checked in subscription ${SANDBOX_SUBSCRIPTIONS.platform}`);
    await h.click(users.approver, 'approve', { requestId: request.id });
    expect((await h.settle(request.id)).state).toBe('succeeded');
    expect(prodKubeletPulls()).toHaveLength(1);
  });

  test('dev-auto naming nobody: refused naming the subscription and what to do, nothing stored, audited', async () => {
    await start(policyYaml(false));
    const answer = await h.ask(users.requester, `grant ${devB} contosoacr --for 1h deploy the dev build`);
    expect(answer).toContain(`could not list the clusters of subscription ${SANDBOX_SUBSCRIPTIONS.platform}`);
    expect(answer).toContain('Try again later');
    expect(answer).toContain('give acrbot Reader on that subscription');
    await h.app.services.executor.drain();
    expect(await h.app.store.listByState(['pending', 'approved', 'executing', 'succeeded', 'failed'])).toHaveLength(0);
    expect(prodKubeletPulls()).toHaveLength(0);
    const [entry] = await h.app.audit.latest(1);
    expect(entry).toMatchObject({ action: 'policy.refused.sharedIdentity', outcome: 'refused' });
  });

  test('break-glass: runs at once (the emergency path), its reviewers told sharing could not be checked', async () => {
    await start(policyYaml(true, true));
    const oncall = SANDBOX_USERS.oncall as TeamsUser;
    const request = await h.requestGrant(oncall, `${devB} contosoacr --break-glass dev is down, pulls failing`);
    expect(request.policy).toMatchObject({ breakGlass: true });
    expect((await h.settle(request.id)).state).toBe('succeeded');
    const cards = h.connector.calls.map((c) => JSON.stringify(c.activity)).filter((t) => t.includes(request.id));
    expect(
      cards.some((t) => t.includes(`could not be checked in subscription ${SANDBOX_SUBSCRIPTIONS.platform}`)),
    ).toBe(true);
  });
});
