/**
 * G17 at scale: what else lets a cluster pull is told at a grant's end, never acted on, so a
 * throttled listing of it must not hold up revocations. One end whose listing ARM does not answer
 * is written without it and the next due end's delete goes on at once; its notice, with what the
 * listing found, goes out once when the answer comes. And a revoke click whose listing fails where
 * the card's did not (or the other way) still revokes: those lines change nothing it deletes.
 * Shared steps: test/helpers/lifecycle.ts.
 */
import { BUILT_IN_ROLES } from '../../src/sandbox/arm/role-definitions';
import { SANDBOX_CLUSTERS, SANDBOX_REGISTRIES } from '../../src/sandbox/fixtures';
import { cardText } from '../helpers/capturing-connector';
import { users } from '../helpers/harness';
import { useLifecycleHooks, h, start, MINUTE, grant, advance, endNotices, actions } from '../helpers/lifecycle';

const contoso = SANDBOX_REGISTRIES.contoso;
const kubelet = SANDBOX_CLUSTERS.prod.kubeletObjectId;
const rgScope = `/subscriptions/${contoso.subscriptionId}/resourceGroups/${contoso.resourceGroup}`;

/** Terraform (or Policy, or a person) gives the prod kubelet identity AcrPull on the registry's resource group. */
function acrPullOnResourceGroup() {
  return h.app.sandbox!.arm.state.addRoleAssignment({
    scope: rgScope,
    roleDefinitionGuid: BUILT_IN_ROLES.acrPull,
    principalId: kubelet,
  });
}

/** A's requester notices ("Expired and revoked: R-…"; the approvers' message has another title). */
const noticesOf = (id: string) =>
  endNotices().filter((c) => cardText(c.activity).includes(`Expired and revoked: ${id}`));

describe('a throttled listing of what else lets the cluster pull (G17)', () => {
  useLifecycleHooks();

  test("one end's listing unanswered: the next end's delete goes on, and the first end's notice goes out once, when it is answered", async () => {
    await start();
    const a = await grant(users.requester, 'aks-prod contosoacr --for 10m deploy payments-api');
    const b = await grant(users.requester, 'aks-dev contosoacr --for 11m deploy payments-api');
    acrPullOnResourceGroup();
    const { arm } = h.app.sandbox!;
    arm.log.clear();
    h.connector.clear();
    // A's revocation lists its assignment's holders (answered); A's end then lists what else lets
    // the cluster pull: held until the test lets it go, then throttled (429, Retry-After 1).
    arm.faults.add({ operation: 'roleAssignments.listForScope', count: 1 });
    const held = arm.faults.hold({
      operation: 'roleAssignments.listForScope',
      status: 429,
      headers: { 'Retry-After': '1' },
    });
    advance(11 * MINUTE);
    // A's end first, on its own, so the held listing is A's (a sweep runs a few jobs at once).
    expect(await h.app.scheduler.runNow(`access.expire:${a.id}`)).toBe(true);
    await h.app.scheduler.runDue();

    // A's run and the sweep ended with A's listing still unanswered: B's delete did not wait for it.
    expect(held.hasArrived).toBe(true);
    const bAssignment = b.plan.kind === 'grant' ? b.plan.roleAssignmentName : '';
    expect(
      arm.log.entries.some((e) => e.method === 'DELETE' && e.path.toLowerCase().includes(bAssignment.toLowerCase())),
    ).toBe(true);
    expect((await h.app.store.get(a.id))!.state).toBe('revoked');
    expect((await h.app.store.get(b.id))!.state).toBe('revoked');
    expect(noticesOf(a.id)).toHaveLength(0);
    // A's end job stays as the net of its notice (due later), until the notice is recorded.
    expect(await h.app.scheduler.get(`access.expire:${a.id}`)).toBeDefined();

    held.release();
    const notice = await h.connector.waitFor(
      (c) =>
        c.op !== 'update' && /Expired and revoked/.test(cardText(c.activity)) && cardText(c.activity).includes(a.id),
      15_000,
      "A's end notice",
    );
    expect(cardText(notice.activity)).toMatch(/AcrPull/);
    await eventually(() => actions(a.id).then((all) => all.includes('access.end.told:sent')));
    const told = (await h.app.audit.forRequest(a.id)).find((e) => e.action === 'access.end.told')!;
    expect(told.detail).toMatch(/can still pull from contosoacr/);
    expect(await h.app.scheduler.get(`access.expire:${a.id}`)).toBeUndefined();

    // Later sweeps tell nobody again.
    advance(30 * MINUTE);
    await h.app.scheduler.runDue();
    await h.app.services.background.drain();
    expect(noticesOf(a.id)).toHaveLength(1);
    expect((await actions(a.id)).filter((x) => x.startsWith('access.end.told'))).toHaveLength(1);
  }, 60_000);

  test('a revoke click whose listing is throttled, where the card had one, revokes', async () => {
    await start();
    const { arm } = h.app.sandbox!;
    const request = await grant(users.requester, 'aks-prod contosoacr --for 1d deploy payments-api');
    acrPullOnResourceGroup();
    h.connector.clear();
    await h.say(users.approver, `revoke ${request.id} incident 42`);
    const sent = await h.connector.waitFor((c) => /Revoke .*\?/.test(cardText(c.activity)), 5000, 'confirmation card');
    expect(cardText(sent.activity)).toMatch(/granted outside acrbot/);
    const card = sent.activity.attachments![0]!.content as { actions?: Array<{ verb?: string; data: unknown }> };
    const button = card.actions!.find((x) => x.verb === 'revokeConfirm')!;
    // ARM throttles role-assignment listings for a while: the SDK's three retries are used up.
    arm.faults.add({
      operation: 'roleAssignments.listForScope',
      status: 429,
      headers: { 'Retry-After': '1' },
      count: 4,
    });
    h.connector.clear();
    const res = await h.click(users.approver, 'revokeConfirm', button.data as Record<string, unknown>);
    expect(JSON.stringify(res.body)).not.toMatch(/changed since the card was drawn/);
    arm.faults.clear();
    await h.app.services.background.drain();
    await eventually(async () => (await h.app.store.get(request.id))!.state === 'revoked');
  }, 60_000);
});

/** Resolves once `condition` holds, checked on every turn of the event loop's timers (at most 20 s). */
async function eventually(condition: () => Promise<boolean>): Promise<void> {
  const until = Date.now() + 20_000;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error('condition not met within 20 s');
    await new Promise((resolve) => setImmediate(resolve));
  }
}
