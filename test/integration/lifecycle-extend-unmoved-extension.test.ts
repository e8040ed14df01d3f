/**
 * G17, an extension of an extension: `extend` names an extension that succeeded but whose move
 * of its original's end was missed (the follow-up after "succeeded" failed), so it is not yet
 * the original's access (accessHolderOf stops at it) and the new extension extends it, a chain
 * of three. The second moves the first's end; the original's expiry then moves its own end to
 * the first's, as it now reads (movedByMissedExtensions), and the three end once, at the last
 * end, told once, whichever end job runs first (originalEndingWith climbs the chain). A secret's
 * original takes the credential the second rotated into the secret. Shared steps:
 * test/helpers/lifecycle.ts.
 */
import { accessExpiryJobId } from '../../src/flows/access-jobs';
import { users } from '../helpers/harness';
import {
  advance,
  useLifecycleHooks,
  h,
  runDueAfter,
  endNotices,
  contosoId,
  MINUTE,
  assignmentsOn,
  grantWithExtensionAsked,
  grantedSecretOnAksDev,
  requestExtension,
  tokens,
} from '../helpers/lifecycle';

/**
 * 12:00, the chain's end: the last extension's end job runs first (due at the same time as the
 * others, it would run first or not by its random id), then everything due.
 */
async function lastEndJobFirst(lastId: string): Promise<void> {
  advance(60 * MINUTE);
  expect(await h.app.scheduler.runNow(accessExpiryJobId(lastId))).toBe(true);
  await h.app.services.background.drain();
  await h.app.scheduler.runDue();
  await h.app.services.background.drain();
}

/** Has the first write of an extension's move of its original's end (its audit entry) fail, once. */
function failNextMove(): void {
  const audit = h.app.audit;
  const append = audit.append.bind(audit);
  audit.append = async (event) => {
    if (event.action === 'access.extended' && event.outcome === 'extended') {
      audit.append = append;
      throw new Error('audit store unavailable');
    }
    return append(event);
  };
}

describe('an extension of an extension whose move was missed (G17)', () => {
  useLifecycleHooks();

  test('the chain is followed: the access runs to the second extension’s end, and all three end there, told once', async () => {
    const { request, extensionId: first } = await grantWithExtensionAsked();
    // The first extension's follow-up fails at its first write (the audit entry of the move), once.
    failNextMove();
    await h.click(users.approver, 'approve', { requestId: first });
    expect((await h.settle(first)).state).toBe('succeeded');
    expect((await h.app.store.get(request.id))!.access?.expiresAt).toBe('2026-11-30T10:02:00.000Z');

    const second = await requestExtension(first, '--for 2h release still running');
    expect((await h.app.store.get(second))!.extendsRequestId).toBe(first);
    await h.click(users.approver, 'approve', { requestId: second });
    expect((await h.settle(second)).state).toBe('succeeded');
    // The second moved the first's end, not the original's (still its own, 10:02).
    expect((await h.app.store.get(first))!.access).toMatchObject({
      expiresAt: '2026-11-30T12:00:00.000Z',
      extendedBy: [second],
    });
    expect((await h.app.store.get(request.id))!.access?.expiresAt).toBe('2026-11-30T10:02:00.000Z');
    h.connector.clear();

    // 10:02, the original's end: it takes the first's end, which the second moved to 12:00.
    await runDueAfter(2 * MINUTE);
    expect((await h.app.store.get(request.id))!.access).toMatchObject({
      expiresAt: '2026-11-30T12:00:00.000Z',
      extendedBy: [first],
    });
    // 11:00, the first's own term: nothing ends.
    await runDueAfter(58 * MINUTE);
    for (const id of [request.id, first, second]) expect((await h.app.store.get(id))!.state).toBe('succeeded');
    expect(assignmentsOn(contosoId)).toHaveLength(1);
    expect(endNotices()).toEqual([]);

    // 12:00: one revocation ends all three, one notice, though the second's end job runs first.
    await lastEndJobFirst(second);
    for (const id of [request.id, first, second]) expect((await h.app.store.get(id))!.state).toBe('revoked');
    expect(assignmentsOn(contosoId)).toHaveLength(0);
    expect(endNotices()).toHaveLength(1);
  });

  test('a secret: the original takes the live credential’s expiry, and all three end once at the last end, the secret gone only then', async () => {
    const { id, k8s } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --service-account default --for 2m pull for payments-api',
    );
    const first = await requestExtension(id, '--for 1h rollout still running');
    failNextMove();
    await h.click(users.approver, 'approve', { requestId: first });
    expect((await h.settle(first)).state).toBe('succeeded');
    const second = await requestExtension(first, '--for 2h rollout still running');
    expect((await h.app.store.get(second))!.extendsRequestId).toBe(first);
    await h.click(users.approver, 'approve', { requestId: second });
    expect((await h.settle(second)).state).toBe('succeeded');
    const live = (await h.app.store.get(second))!.plan;
    expect(live.kind === 'secret' && live.expiresAt).toBe('2026-12-01T12:00:00.000Z');
    h.connector.clear();

    // 10:02: the original takes the first's end, and the credential the second rotated into the
    // secret (not the first's, which that rotation deleted).
    await runDueAfter(2 * MINUTE);
    expect((await h.app.store.get(id))!.access).toMatchObject({
      expiresAt: '2026-11-30T12:00:00.000Z',
      credentialExpiresAt: '2026-12-01T12:00:00.000Z',
    });

    // 11:00, the first's own term: nothing ends, the secret stays.
    await runDueAfter(58 * MINUTE);
    expect(k8s.getObject('secrets', 'payments', 'acr-auth')).toBeDefined();
    expect(tokens()).toEqual([`acrbot-${second.toLowerCase()}`]);

    // 12:00: one revocation ends all three, told once, though the second's end job runs first.
    await lastEndJobFirst(second);
    for (const r of [id, first, second]) expect((await h.app.store.get(r))!.state).toBe('revoked');
    expect(k8s.getObject('secrets', 'payments', 'acr-auth')).toBeUndefined();
    expect(tokens()).toEqual([]);
    expect(endNotices()).toHaveLength(1);
  });
});
