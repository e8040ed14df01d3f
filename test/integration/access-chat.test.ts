/**
 * `access`, `check` and drift through Teams activities against the real app and emulators:
 * a cluster with one acrbot grant and one made outside acrbot, a missing grant, an ABAC registry,
 * a registry's clusters, the user's own access, and a grant deleted outside acrbot (recorded,
 * audited, cards updated, never re-created) by the drift job and by `access`.
 */
import { LISTING_LAG_GRACE_MS } from '../../src/domain/listing-lag';
import { join } from 'node:path';
import { BUILT_IN_ROLES } from '../../src/sandbox/arm/role-definitions';
import {
  SANDBOX_CLUSTERS,
  SANDBOX_REGISTRIES,
  SANDBOX_SUBSCRIPTIONS,
  sandboxResourceId,
} from '../../src/sandbox/fixtures';
import { DRIFT_JOB_ID } from '../../src/flows/drift-detector';
import { transition } from '../../src/domain/request';
import type { GrantPlan } from '../../src/domain/plan';
import type { AccessRequest } from '../../src/domain/request';
import { cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';
import { MovableClock } from '../helpers/movable-clock';
import type { TeamsUser } from '../helpers/teams-activities';
import { TempDirs } from '../helpers/temp-dirs';

const contosoId = sandboxResourceId('registry', SANDBOX_REGISTRIES.contoso);
const abacId = sandboxResourceId('registry', SANDBOX_REGISTRIES.abac);

describe('access and check in chat', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.stop());

  /** Says `text` and returns the text of the bot's next card. */
  const ask = (user: TeamsUser, text: string): Promise<string> => h.ask(user, text);

  async function grantApproved(args: string): Promise<AccessRequest> {
    const request = await h.requestGrant(users.requester, args);
    await h.click(users.approver, 'approve', { requestId: request.id });
    const done = await h.settle(request.id);
    expect(done.state).toBe('succeeded');
    return done;
  }

  test('access CLUSTER: one acrbot grant and one made outside acrbot, each with its origin', async () => {
    const granted = await grantApproved('aks-legacy contosoacr deploy billing');
    const text = await ask(users.approver, 'access aks-legacy');
    expect(text).toContain('What aks-legacy can pull, and why');
    expect(text).toContain('contosoacr → contosoacr.azurecr.io');
    expect(text).toMatch(
      new RegExp(`AcrPull on the registry — acrbot request ${granted.id} \\(approved by ${users.approver.name}`),
    );
    expect(text).toMatch(/sharedacr → sharedacr\.azurecr\.io/);
    expect(text).toMatch(/AcrPull on resource group rg-shared — granted outside acrbot/);
    expect(text).not.toContain('contosoabac');
  });

  test('with rights on the registries and none at subscription scope (the deployment): access and check read the assignments on each registry', async () => {
    const request = await grantApproved('aks-prod contosoacr deploy payments-api');
    const { platform, data } = SANDBOX_SUBSCRIPTIONS;
    const read = 'Microsoft.Authorization/roleAssignments/read';
    for (const s of [platform, data]) h.app.sandbox!.arm.state.denyActionOnlyAt(`/subscriptions/${s}`, read);
    try {
      const access = await ask(users.approver, 'access aks-prod');
      expect(access).toContain('What aks-prod can pull');
      expect(access).toContain(request.id);
      expect(access).not.toContain('Removed outside acrbot');
      const check = await ask(users.approver, 'check aks-prod contosoacr');
      expect(check).toContain('Can aks-prod pull from contosoacr?');
      expect(check).toContain(request.id);
      const byRegistry = await ask(users.approver, 'access contosoacr');
      expect(byRegistry).toContain('aks-prod');
      expect(byRegistry).toContain(request.id);
      // The tab's matrix too.
      const matrix = await h.app.services.inventory.matrix();
      expect(matrix.cells.find((c) => c.cluster.name === 'aks-prod' && c.registry.name === 'contosoacr')).toMatchObject(
        { canPull: true, state: 'active' },
      );
      // The subscription-wide listing was refused; the registries' were answered.
      const listings = h.app.sandbox!.arm.requests.filter((r) => r.operation === 'roleAssignments.listForScope');
      expect(listings.some((r) => r.status === 403)).toBe(true);
      expect(listings.some((r) => r.status === 200 && /registries\/contosoacr\//i.test(r.path))).toBe(true);
    } finally {
      for (const s of [platform, data]) h.app.sandbox!.arm.state.allowAction(`/subscriptions/${s}`, read);
    }
    expect((await h.app.store.get(request.id))!.access?.driftDetectedAt).toBeUndefined();
  });

  test('access CLUSTER is for approvers and auditors; access alone shows the requester their own', async () => {
    const granted = await grantApproved('aks-prod contosoacr deploy payments');
    expect(await ask(users.requester, 'access aks-prod')).toContain('Approvers and auditors only');
    const own = await ask(users.requester, 'access');
    expect(own).toContain('Your access');
    expect(own).toContain(`acrbot request ${granted.id}`);
    expect(await ask(users.outsider, 'access')).toContain('has not granted anything for your requests');
  });

  test('access REGISTRY (a bare name that is no cluster) lists the clusters that can pull from it', async () => {
    await grantApproved('aks-prod contosoacr deploy payments');
    const text = await ask(users.approver, 'access contosoacr');
    expect(text).toContain('Who can pull from contosoacr');
    expect(text).toContain('aks-prod');
    expect(text).not.toContain('aks-legacy');
    expect(await ask(users.approver, 'access nosuchthing')).toContain(
      'Neither a cluster nor a registry named nosuchthing',
    );
  });

  test('hostile names get a clear error, no link, no Azure call', async () => {
    h.app.sandbox!.arm.clearRequests();
    const link = await ask(users.approver, 'access [approve](https://evil.example/x)');
    expect(link).not.toMatch(/\]\(https?:/);
    expect(link).not.toContain('https://evil');
    const long = await ask(users.requester, `check aks-prod ${'a'.repeat(300)}`);
    expect(long).toMatch(/registry name/i);
    expect(h.app.sandbox!.arm.requests).toEqual([]);
  });

  test('check explains a missing grant, with the grant command as the fix', async () => {
    const text = await ask(users.requester, 'check aks-prod contosoacr');
    expect(text).toContain('Can aks-prod pull from contosoacr?');
    expect(text).toContain(
      "aks-prod cannot pull from contosoacr: its identity has no role that carries pull on the registry, and acrbot's pull secrets give none (pull secrets and tokens made outside acrbot are not checked).",
    );
    expect(text).toContain(SANDBOX_CLUSTERS.prod.kubeletObjectId);
    expect(text).toContain('@acrbot grant aks-prod contosoacr REASON');
  });

  test('check explains an ABAC registry: AcrPull is there but not honoured; Repository Reader is needed', async () => {
    h.app.sandbox!.arm.state.addRoleAssignment({
      scope: abacId,
      roleDefinitionGuid: BUILT_IN_ROLES.acrPull,
      principalId: SANDBOX_CLUSTERS.prod.kubeletObjectId,
    });
    const text = await ask(users.requester, 'check aks-prod contosoabac');
    expect(text).toContain('its AcrPull is not honoured because the registry uses ABAC repository permissions');
    expect(text).toContain('Container Registry Repository Reader is needed');
    expect(text).toContain('@acrbot grant aks-prod contosoabac');
  });

  test('check after a grant: can pull, which role, at which scope, from which request, network', async () => {
    const granted = await grantApproved('aks-prod contosoacr deploy payments');
    const text = await ask(users.requester, 'check aks-prod contosoacr');
    expect(text).toContain(
      `aks-prod can pull from contosoacr: AcrPull on the registry itself — acrbot request ${granted.id}`,
    );
    expect(text).toContain('contosoacr.azurecr.io accepts connections from public networks');
  });
});

describe('drift', () => {
  let h: Harness;
  let clock: MovableClock;
  const tempDirs = new TempDirs();
  beforeEach(async () => {
    clock = new MovableClock();
    h = await startHarness({}, { clock });
  });
  afterEach(async () => {
    try {
      await h.stop();
    } finally {
      tempDirs.removeAll();
    }
  });

  async function grantedAndDeleted(): Promise<AccessRequest> {
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments');
    await h.click(users.approver, 'approve', { requestId: request.id });
    const done = await h.settle(request.id);
    const name = (done.plan as GrantPlan).roleAssignmentName;
    // Someone deletes acrbot's assignment in the portal.
    expect(h.app.sandbox!.arm.state.roleAssignments.delete(name)).toBe(true);
    // Once Azure's listing has had time to show the grant (before, its absence is no drift: listing-lag.ts).
    clock.advance(LISTING_LAG_GRACE_MS);
    return done;
  }

  test('a grant whose revocation began (and deleted the assignment) is not drift: its retry finishes it', async () => {
    const request = await grantedAndDeleted();
    await h.app.store.update(transition(request, { type: 'beginRevoke', at: new Date() }));
    await h.app.scheduler.schedule({ id: DRIFT_JOB_ID, kind: 'drift.check', dueAt: new Date(Date.now() - 1000) });
    expect(await h.app.scheduler.runDue()).toBeGreaterThanOrEqual(1);
    expect((await h.app.store.get(request.id))!.access?.driftDetectedAt).toBeUndefined();
    expect((await h.app.audit.forRequest(request.id)).map((e) => e.action)).not.toContain('access.drift');
  });

  test('the drift job records a deleted grant once, audits it, updates the cards, and never re-creates it', async () => {
    const request = await grantedAndDeleted();
    const before = h.connector.calls.length;
    await h.app.scheduler.schedule({ id: DRIFT_JOB_ID, kind: 'drift.check', dueAt: new Date(Date.now() - 1000) });
    expect(await h.app.scheduler.runDue()).toBeGreaterThanOrEqual(1);

    const stored = (await h.app.store.get(request.id))!;
    expect(stored.access?.driftDetectedAt).toBeDefined();
    expect(stored.state).toBe('succeeded');
    const entries = (await h.app.audit.forRequest(request.id)).filter((e) => e.action === 'access.drift');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ outcome: 'deleted', actor: { objectId: 'acrbot' } });
    expect(entries[0].detail).toContain('noticed by sweeper');
    // The assignment is not re-created.
    expect(
      h.app
        .sandbox!.arm.state.listRoleAssignments(contosoId)
        .filter((a) => a.principalId === SANDBOX_CLUSTERS.prod.kubeletObjectId),
    ).toEqual([]);
    // Every card copy now says so.
    await h.connector.waitFor(
      (c) =>
        h.connector.calls.indexOf(c) >= before &&
        c.op === 'update' &&
        /removed outside acrbot on/.test(cardText(c.activity)),
      10_000,
      'a card update naming the drift',
    );
    // The requester is not sent "Pull access granted" again for access that is gone.
    expect(
      h.connector.calls.filter(
        (c) =>
          h.connector.calls.indexOf(c) >= before &&
          c.op !== 'update' &&
          /Pull access granted/.test(cardText(c.activity)),
      ),
    ).toEqual([]);
    // The job put itself back for the next run; a second run records nothing new.
    const next = await h.app.stores.schedule.get(DRIFT_JOB_ID);
    expect(Date.parse(next!.dueAt)).toBeGreaterThan(Date.now());
    expect(await h.app.services.drift.sweep()).toEqual([]);
    expect((await h.app.audit.forRequest(request.id)).filter((e) => e.action === 'access.drift')).toHaveLength(1);
  });

  test('a registry whose assignments cannot be listed does not hide drift elsewhere: the others are checked, then the run fails naming it', async () => {
    const first = await grantedAndDeleted();
    const sharedDataId = sandboxResourceId('registry', SANDBOX_REGISTRIES.sharedData);
    const second = await h.requestGrant(users.requester, `aks-prod ${sharedDataId} deploy payments data`);
    await h.click(users.approver, 'approve', { requestId: second.id });
    const done = await h.settle(second.id);
    expect(done.state).toBe('succeeded');
    expect(h.app.sandbox!.arm.state.roleAssignments.delete((done.plan as GrantPlan).roleAssignmentName)).toBe(true);
    clock.advance(LISTING_LAG_GRACE_MS);
    // acrbot loses Reader on the first grant's subscription, registry included (listed first:
    // its request is older).
    const platform = SANDBOX_REGISTRIES.contoso.subscriptionId;
    h.app.sandbox!.arm.state.denyAction(`/subscriptions/${platform}`, 'Microsoft.Authorization/roleAssignments/read');

    const sweep = h.app.services.drift.sweep();
    await expect(sweep).rejects.toThrow(
      new RegExp(
        `^drift check could not list the role assignments of 1 of 2 identity and registry pairs \\(the others were checked\\): identity ${SANDBOX_CLUSTERS.prod.kubeletObjectId} on registry ${contosoId}: 403 AuthorizationFailed$`,
      ),
    );
    expect((await h.app.store.get(second.id))!.access?.driftDetectedAt).toBeDefined();
    expect((await h.app.store.get(first.id))!.access?.driftDetectedAt).toBeUndefined();
    expect((await h.app.audit.forRequest(second.id)).map((e) => e.action)).toContain('access.drift');
  });

  test('a grant whose registry was deleted is drift (its assignment went with it), not a sweep that fails for ever', async () => {
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments');
    await h.click(users.approver, 'approve', { requestId: request.id });
    expect((await h.settle(request.id)).state).toBe('succeeded');
    expect(h.app.sandbox!.arm.state.removeRegistry(contosoId)).toBe(true);
    // Once Azure's listing has had time to show the grant (before, its absence is no drift: listing-lag.ts).
    clock.advance(LISTING_LAG_GRACE_MS);

    const marked = await h.app.services.drift.sweep();
    expect(marked.map((r) => r.id)).toEqual([request.id]);
    const entries = (await h.app.audit.forRequest(request.id)).filter((e) => e.action === 'access.drift');
    expect(entries).toEqual([expect.objectContaining({ outcome: 'deleted' })]);
  });

  test('a revoke in flight (its access.expire job due) is not drift', async () => {
    const request = await grantedAndDeleted();
    await h.app.stores.schedule.put({
      id: `access.expire:${request.id}`,
      kind: 'access.expire',
      dueAt: new Date(Date.now() - 1000).toISOString(),
      requestId: request.id,
      attempts: 0,
    });
    expect(await h.app.services.drift.sweep()).toEqual([]);
    expect((await h.app.store.get(request.id))!.access?.driftDetectedAt).toBeUndefined();
  });

  test('access notices drift too: the listing says "removed outside acrbot" and the audit records it', async () => {
    const request = await grantedAndDeleted();
    const before = h.connector.calls.length;
    await h.say(users.approver, 'access aks-prod');
    const reply = await h.connector.waitFor(
      (c) => h.connector.calls.indexOf(c) >= before && /What aks-prod can pull/.test(cardText(c.activity)),
      10_000,
      'the access card',
    );
    expect(cardText(reply.activity)).toContain('Removed outside acrbot');
    expect(cardText(reply.activity)).toContain(request.id);
    const entries = (await h.app.audit.forRequest(request.id)).filter((e) => e.action === 'access.drift');
    expect(entries).toHaveLength(1);
    expect(entries[0].detail).toContain('noticed by access');
  });

  test('access on a subscription-wide listing that leaves the assignment out (filtered to what acrbot may read) records no drift: it is confirmed on the registry first', async () => {
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments');
    await h.click(users.approver, 'approve', { requestId: request.id });
    expect((await h.settle(request.id)).state).toBe('succeeded');
    // Past Azure's listing lag: before, the card says the grant is not listed yet (listing-lag.ts).
    clock.advance(LISTING_LAG_GRACE_MS);
    // acrbot may read role assignments on the subscription but not on contosoacr: ARM answers the
    // subscription-wide listing without the grant's assignment (which is still there), and
    // refuses the registry's own listing, so the absence cannot be confirmed.
    const read = 'Microsoft.Authorization/roleAssignments/read';
    h.app.sandbox!.arm.state.denyAction(contosoId, read);
    h.app.sandbox!.arm.clearRequests();
    try {
      const answer = await h.ask(users.approver, 'access aks-prod');
      expect(answer).toContain('Removed outside acrbot');
    } finally {
      h.app.sandbox!.arm.state.allowAction(contosoId, read);
    }
    const listings = h.app.sandbox!.arm.requests.filter((r) => r.operation === 'roleAssignments.listForScope');
    const wide = listings.findIndex((r) => /^\/subscriptions\/[^/]+\/providers\//i.test(r.path));
    const onRegistry = listings.findIndex((r) => /registries\/contosoacr\/providers\//i.test(r.path));
    expect(listings[wide]).toMatchObject({ status: 200 });
    expect(onRegistry).toBeGreaterThan(wide);
    expect(listings[onRegistry]).toMatchObject({ status: 403 });
    expect(h.app.sandbox!.arm.state.listRoleAssignments(contosoId).map((ra) => ra.name)).toContain(
      (request.plan as GrantPlan).roleAssignmentName,
    );
    expect((await h.app.store.get(request.id))!.access?.driftDetectedAt).toBeUndefined();
    expect((await h.app.audit.forRequest(request.id)).map((e) => e.action)).not.toContain('access.drift');
  });

  test('the drift job is persisted: a restart keeps its due time (never postponed, never lost)', async () => {
    await h.stop();
    const dir = tempDirs.make('acrbot-drift-');
    const storage = `sqlite:${join(dir, 'acrbot.db')}`;
    h = await startHarness({ ACRBOT_STORAGE: storage });
    const first = await h.app.stores.schedule.get(DRIFT_JOB_ID);
    expect(first).toMatchObject({ kind: 'drift.check' });
    await h.stop();
    h = await startHarness({ ACRBOT_STORAGE: storage });
    expect((await h.app.stores.schedule.get(DRIFT_JOB_ID))?.dueAt).toBe(first!.dueAt);
  });
});
