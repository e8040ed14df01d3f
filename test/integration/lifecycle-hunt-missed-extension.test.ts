/**
 * G17: an extension that succeeded but whose move of its original's end did not happen (the
 * follow-up after "succeeded" failed: an audit write, the store; it is logged and not run again,
 * or the process stopped between the two). The original's end then comes while the extension
 * still holds the access: the expiry must move the end now, not end the original alone and tell
 * its requester "Expired and revoked" of access they keep for another hour. Shared steps:
 * test/helpers/lifecycle.ts.
 */
import { users } from '../helpers/harness';
import {
  useLifecycleHooks,
  h,
  runDueAfter,
  endNotices,
  contosoId,
  MINUTE,
  assignmentsOn,
  actions,
  grantWithExtensionAsked,
} from '../helpers/lifecycle';

describe('an extension whose end move was missed (G17)', () => {
  useLifecycleHooks();

  test('the original’s expiry moves its end to the extension’s instead of ending it alone; both end once, at the extension’s end', async () => {
    const { request, extensionId } = await grantWithExtensionAsked();
    // The extension's follow-up fails at its first write (the audit entry of the move), once.
    const audit = h.app.audit;
    const append = audit.append.bind(audit);
    audit.append = async (event) => {
      if (event.action === 'access.extended' && event.outcome === 'extended') {
        audit.append = append;
        throw new Error('audit store unavailable');
      }
      return append(event);
    };
    await h.click(users.approver, 'approve', { requestId: extensionId });
    expect((await h.settle(extensionId)).state).toBe('succeeded');
    expect((await h.app.store.get(request.id))!.access?.expiresAt).toBe('2026-11-30T10:02:00.000Z');
    h.connector.clear();

    // 10:02, the original's end: the extension holds the access until 11:00.
    await runDueAfter(2 * MINUTE);
    const original = (await h.app.store.get(request.id))!;
    expect({ state: original.state, expiresAt: original.access?.expiresAt }).toEqual({
      state: 'succeeded',
      expiresAt: '2026-11-30T11:00:00.000Z',
    });
    expect(original.access?.extendedBy).toEqual([extensionId]);
    expect(await actions(request.id)).toContain('access.extended:extended');
    expect(assignmentsOn(contosoId)).toHaveLength(1);
    expect(endNotices()).toEqual([]);

    // 11:00: both end, in one revocation, told once.
    await runDueAfter(58 * MINUTE);
    expect((await h.app.store.get(request.id))!.state).toBe('revoked');
    expect((await h.app.store.get(extensionId))!.state).toBe('revoked');
    expect(assignmentsOn(contosoId)).toHaveLength(0);
    expect(endNotices()).toHaveLength(1);
  });
});
