/**
 * G17 end to end: access extended more than once ends once, at its last end, and its requester
 * hears "Expired and revoked" once — whether the requester extends the original again (a second
 * reminder's Extend) or extends the extension (`extend` naming it, in chat). The real
 * server, scheduler and sandbox emulators with a test clock (shared steps: test/helpers/lifecycle.ts).
 */
import { users } from '../helpers/harness';
import {
  useLifecycleHooks,
  h,
  runDueAfter,
  endNotices,
  start,
  contosoId,
  MINUTE,
  assignmentsOn,
  grant,
  extendApproved,
  tokens,
  grantedSecretOnAksDev,
} from '../helpers/lifecycle';

/** Asks, as the requester, to extend `id`, and has the approver approve it; returns the new request's id. */
async function extendAs(id: string, args: string): Promise<string> {
  const before = new Set((await h.app.store.listByState(['pending'])).map((r) => r.id));
  await h.say(users.requester, `extend ${id} ${args}`);
  const filed = (await h.app.store.listByState(['pending'])).filter((r) => !before.has(r.id));
  expect(filed).toHaveLength(1);
  await h.click(users.approver, 'approve', { requestId: filed[0]!.id });
  expect((await h.settle(filed[0]!.id)).state).toBe('succeeded');
  return filed[0]!.id;
}

describe('access extended more than once (G17)', () => {
  useLifecycleHooks();

  test('extended twice: the first extension’s end passes without ending anything or telling anyone; all three end together at the last end, told once', async () => {
    await start();
    const request = await grant(users.requester, 'aks-prod contosoacr --for 5m deploy payments-api');
    const first = await extendApproved(request.id, '--for 1h release still running');
    const second = await extendApproved(request.id, '--for 2h release still running');
    expect((await h.app.store.get(request.id))!.access?.expiresAt).toBe('2026-11-30T12:00:00.000Z');
    h.connector.clear();

    // 11:00, the first extension's own end: the access runs on until 12:00.
    await runDueAfter(60 * MINUTE);
    for (const id of [request.id, first, second]) expect((await h.app.store.get(id))!.state).toBe('succeeded');
    expect(assignmentsOn(contosoId)).toHaveLength(1);
    expect(endNotices()).toEqual([]);
    expect((await h.app.audit.forRequest(first)).map((e) => e.action)).not.toContain('access.revoke.roleAssignment');

    // 12:00: one revocation ends all three, one notice.
    await runDueAfter(60 * MINUTE);
    for (const id of [request.id, first, second]) expect((await h.app.store.get(id))!.state).toBe('revoked');
    expect(assignmentsOn(contosoId)).toHaveLength(0);
    expect(endNotices()).toHaveLength(1);
  });

  test('a secret extended twice keeps its secret and the newest token until the last end', async () => {
    const { id, k8s } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --service-account default --for 5m pull for payments-api',
    );
    await extendApproved(id, '--for 1h rollout still running');
    const second = await extendApproved(id, '--for 2h rollout still running');
    h.connector.clear();
    await runDueAfter(60 * MINUTE);
    expect(k8s.getObject('secrets', 'payments', 'acr-auth')).toBeDefined();
    expect(tokens()).toEqual([`acrbot-${second.toLowerCase()}`]);
    expect(endNotices()).toEqual([]);
    await runDueAfter(60 * MINUTE);
    expect(k8s.getObject('secrets', 'payments', 'acr-auth')).toBeUndefined();
    expect(tokens()).toEqual([]);
    expect(endNotices()).toHaveLength(1);
  });

  test('extending the extension extends the access it belongs to: the original’s end moves, and nothing ends or is told before it', async () => {
    await start();
    const request = await grant(users.requester, 'aks-prod contosoacr --for 5m deploy payments-api');
    const first = await extendApproved(request.id, '--for 1h release still running');
    const again = await extendAs(first, '--for 2h release still running');
    expect((await h.app.store.get(again))!.extendsRequestId).toBe(request.id);
    expect((await h.app.store.get(request.id))!.access?.expiresAt).toBe('2026-11-30T12:00:00.000Z');
    h.connector.clear();

    await runDueAfter(60 * MINUTE);
    for (const id of [request.id, first, again]) expect((await h.app.store.get(id))!.state).toBe('succeeded');
    expect(assignmentsOn(contosoId)).toHaveLength(1);
    expect(endNotices()).toEqual([]);

    await runDueAfter(60 * MINUTE);
    for (const id of [request.id, first, again]) expect((await h.app.store.get(id))!.state).toBe('revoked');
    expect(assignmentsOn(contosoId)).toHaveLength(0);
    expect(endNotices()).toHaveLength(1);
  });
});
