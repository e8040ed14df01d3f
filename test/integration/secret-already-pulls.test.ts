/**
 * A pull secret asked for on a cluster whose kubelet identity already pulls from the registry
 * (a live acrbot grant of the pair, or an assignment made outside acrbot such as
 * `az aks update --attach-acr`): the request records it (`pullsThrough`), its card says so while
 * it waits, and its `request.created` entry names it by id. It costs one ARM list, no Graph read.
 * An assignment acrbot's grant of the pair holds is never called outside acrbot, live or not, and
 * one named as acrbot names its grants is not either (a name is a hint, G15).
 */
import { roleAssignmentName } from '../../src/domain/identifiers';
import type { GrantPlan } from '../../src/domain/plan';
import { BUILT_IN_ROLES } from '../../src/sandbox/arm/role-definitions';
import { type AccessRequest, transition } from '../../src/domain/request';
import {
  SANDBOX_APPROVAL_CHANNEL_ID,
  SANDBOX_CLUSTERS,
  SANDBOX_REGISTRIES,
  sandboxResourceId,
} from '../../src/sandbox/fixtures';
import { type CapturedCall, cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';
import { TEAM_CHANNEL } from '../helpers/teams-activities';

const contosoId = sandboxResourceId('registry', SANDBOX_REGISTRIES.contoso);
const kubelet = SANDBOX_CLUSTERS.dev.kubeletObjectId;

describe('a pull secret for a cluster that already pulls', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.stop());

  /** A card sent (not an update) that names `request`: not the message mentioning its approvers, which names it too. */
  const isCardOf = (c: CapturedCall, request: AccessRequest) =>
    c.op !== 'update' && (c.activity.attachments ?? []).length > 0 && cardText(c.activity).includes(request.id);

  /**
   * The texts of the request's cards as sent, `[requester's, approvers']`, which must be all it has
   * and one of each: the requester's in the thread of the message that asked, in the team channel,
   * and the approvers' copy posted in the approvals channel.
   */
  const cardsOf = async (request: AccessRequest): Promise<[string, string]> => {
    await h.connector.waitFor(
      (c) => isCardOf(c, request) && c.conversationId === SANDBOX_APPROVAL_CHANNEL_ID,
      10_000,
      "the approvers' copy",
    );
    const sent = h.connector.calls.filter((c) => isCardOf(c, request));
    const requesters = sent.filter(
      (c) => c.op === 'reply' && c.conversationId.startsWith(`${TEAM_CHANNEL};messageid=`),
    );
    const approvers = sent.filter((c) => c.conversationId === SANDBOX_APPROVAL_CHANNEL_ID);
    expect([requesters.length, approvers.length, sent.length]).toEqual([1, 1, 2]);
    return [cardText(requesters[0]!.activity), cardText(approvers[0]!.activity)];
  };

  const createdDetail = async (request: AccessRequest) =>
    (await h.app.audit.forRequest(request.id)).find((e) => e.action === 'request.created')?.detail;

  test('a live acrbot grant of the pair: recorded, said on the card while pending, and in the audit by id', async () => {
    const grant = await h.requestGrant(users.requester, 'aks-dev contosoacr deploy payments-api');
    await h.click(users.approver, 'approve', { requestId: grant.id });
    expect((await h.settle(grant.id)).state).toBe('succeeded');

    h.app.sandbox!.arm.clearRequests();
    const graphBefore = h.app.sandbox!.graph.requests.length;
    const secret = await h.requestSecret(users.requester, 'aks-dev contosoacr --namespace payments pull for a job');
    expect(secret.pullsThrough).toEqual([
      { requestId: grant.id, requester: grant.requester.name, until: expect.any(String) },
    ]);
    for (const text of await cardsOf(secret)) {
      expect(text).toContain(
        `the cluster's kubelet identity already pulled from contosoacr through ${grant.id} (${grant.requester.name}'s grant), until`,
      );
      expect(text).toContain('A pull secret still works, but the kubelet pulls without it while that lasts');
    }
    expect(await createdDetail(secret)).toContain(`the cluster already pulled through ${grant.id}:`);
    expect(await createdDetail(secret)).not.toContain(grant.requester.name);

    // The added read: one list of the kubelet's assignments on the registry (a token secret's plan
    // made none before); no Graph read (the approvers' read the grant made is kept).
    const lists = h.app
      .sandbox!.arm.requests.filter((r: { operation: string }) => r.operation === 'roleAssignments.listForScope')
      .map((r: { path: string }) => r.path.toLowerCase());
    expect(lists).toEqual([expect.stringContaining(contosoId.toLowerCase())]);
    expect(h.app.sandbox!.graph.requests.slice(graphBefore)).toEqual([]);
  });

  test('an assignment made outside acrbot: recorded by its id and said on the card', async () => {
    const outside = h.app.sandbox!.arm.state.addRoleAssignment({
      scope: contosoId,
      roleDefinitionGuid: BUILT_IN_ROLES.acrPull,
      principalId: kubelet,
      principalType: 'ServicePrincipal',
    });
    const secret = await h.requestSecret(users.requester, 'aks-dev contosoacr --namespace payments pull for a job');
    expect(secret.pullsThrough).toEqual([{ roleAssignmentId: outside.id }]);
    const [card] = await cardsOf(secret);
    expect(card).toContain(
      `already pulled from contosoacr through role assignment ${outside.name}, which no acrbot grant holds (made outside acrbot`,
    );
    expect(await createdDetail(secret)).toContain(`the cluster already pulled through role assignment ${outside.id}`);
  });

  /** A succeeded grant of aks-dev → contosoacr, its assignment in place. */
  const granted = async (): Promise<AccessRequest> => {
    const grant = await h.requestGrant(users.requester, 'aks-dev contosoacr deploy payments-api');
    await h.click(users.approver, 'approve', { requestId: grant.id });
    const done = await h.settle(grant.id);
    expect(done.state).toBe('succeeded');
    const name = (done.plan as GrantPlan).roleAssignmentName;
    expect(h.app.sandbox!.arm.state.roleAssignments.get(name)).toBeDefined();
    return done;
  };

  /**
   * Nothing recorded, and neither of the request's two cards (the requester's, the approvers' copy)
   * nor the audit says the cluster already pulled (no "Already pulls" fact, no clause), nor "outside acrbot".
   */
  const saysNothing = async (secret: AccessRequest) => {
    expect(secret.state).toBe('pending');
    expect(secret.pullsThrough).toBeUndefined();
    for (const text of await cardsOf(secret)) {
      expect(text).toContain('Pull secret for contosoacr in aks-dev');
      expect(text).not.toContain('Already pulls');
      expect(text).not.toContain('already pulled');
      expect(text).not.toContain('outside acrbot');
    }
    const detail = await createdDetail(secret);
    expect(detail).toBeDefined();
    expect(detail).not.toContain('already pulled');
    expect(detail).not.toContain('outside acrbot');
  };

  test.each([
    [
      'marked drifted',
      (r: AccessRequest): AccessRequest => ({
        ...r,
        version: r.version + 1,
        access: { ...r.access!, driftDetectedAt: new Date().toISOString(), driftReason: 'changed' },
      }),
    ],
    [
      'past its end, not revoked yet',
      (r: AccessRequest): AccessRequest => ({
        ...r,
        version: r.version + 1,
        access: { ...r.access!, expiresAt: new Date(Date.now() - 60_000).toISOString() },
      }),
    ],
    ['being revoked', (r: AccessRequest): AccessRequest => transition(r, { type: 'beginRevoke', at: new Date() })],
  ])("acrbot's grant of the pair %s: its assignment is neither a live grant nor outside acrbot", async (_, unlive) => {
    const grant = await granted();
    await h.app.store.update(unlive(grant));
    const secret = await h.requestSecret(users.requester, 'aks-dev contosoacr --namespace payments pull for a job');
    await saysNothing(secret);
    expect(await createdDetail(secret)).not.toContain(grant.id);
  });

  test('beside such a grant, an assignment made outside acrbot is still named as such, and only it', async () => {
    const grant = await granted();
    await h.app.store.update({
      ...grant,
      version: grant.version + 1,
      access: { ...grant.access!, driftDetectedAt: new Date().toISOString(), driftReason: 'changed' },
    });
    // Listed after acrbot's (made later): the one found outside is the one no record holds.
    const outside = h.app.sandbox!.arm.state.addRoleAssignment({
      scope: contosoId,
      roleDefinitionGuid: BUILT_IN_ROLES.acrPull,
      principalId: kubelet,
      principalType: 'ServicePrincipal',
      name: 'ffffffff-0000-4000-8000-000000000001',
    });
    const secret = await h.requestSecret(users.requester, 'aks-dev contosoacr --namespace payments pull for a job');
    expect(secret.pullsThrough).toEqual([{ roleAssignmentId: outside.id }]);
    expect(await createdDetail(secret)).toContain(
      `the cluster already pulled through role assignment ${outside.id} (outside acrbot)`,
    );
  });

  test('an assignment named as acrbot names its grants, of no record of the pair: not called outside acrbot', async () => {
    // As an acrbot grant of another cluster with the same kubelet identity makes it, or one a
    // revoked grant left behind: the pair's records cannot say which, and a name is a hint.
    const named = h.app.sandbox!.arm.state.addRoleAssignment({
      scope: contosoId,
      roleDefinitionGuid: BUILT_IN_ROLES.acrPull,
      principalId: kubelet,
      principalType: 'ServicePrincipal',
      name: roleAssignmentName(contosoId, kubelet, BUILT_IN_ROLES.acrPull),
    });
    const secret = await h.requestSecret(users.requester, 'aks-dev contosoacr --namespace payments pull for a job');
    await saysNothing(secret);
    expect(await createdDetail(secret)).not.toContain(named.id);
  });

  test('the list failing: planned all the same, without the note, and not warned of', async () => {
    h.app.sandbox!.arm.state.addRoleAssignment({
      scope: contosoId,
      roleDefinitionGuid: BUILT_IN_ROLES.acrPull,
      principalId: kubelet,
      principalType: 'ServicePrincipal',
    });
    h.app.sandbox!.arm.faults.add({ operation: 'roleAssignments.listForScope', status: 403, count: 5 });
    const secret = await h.requestSecret(users.requester, 'aks-dev contosoacr --namespace payments pull for a job');
    expect(secret.state).toBe('pending');
    expect(secret.pullsThrough).toBeUndefined();
    expect(h.logs.lines.filter((l) => l.includes('already pulls') && l.includes('"level":40'))).toEqual([]);
  });

  test('nothing gives it pull: nothing recorded, no fact, no clause', async () => {
    const secret = await h.requestSecret(users.requester, 'aks-dev contosoacr --namespace payments pull for a job');
    await saysNothing(secret);
  });
});
