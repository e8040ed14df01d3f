/**
 * G17, G11: one extension's success applied twice at once (on two instances: the executor's
 * follow-up, and the original's expiry finding the move missed). The one whose write lost finds
 * the end moved by this very extension: the move is made, not "not moved", and the audit says
 * `access.extended` once. Before, the loser wrote a second `extended` entry and then a false
 * `access.extended failed "… its end was not moved by R-…"`. Shared steps: test/helpers/lifecycle.ts.
 */
import { users } from '../helpers/harness';
import {
  useLifecycleHooks,
  h,
  advance,
  endNotices,
  contosoId,
  MINUTE,
  assignmentsOn,
  actions,
  grantWithExtensionAsked,
  beforeEndMovedBy,
} from '../helpers/lifecycle';

describe('an extension applied by two at once (G17)', () => {
  useLifecycleHooks();

  test('the loser of the write finds the move made: one `extended` entry, no `failed`', async () => {
    const { request, extensionId } = await grantWithExtensionAsked();
    // Right before the executor's follow-up writes the move, the original's end comes and its
    // expiry (another instance, as far as the store can tell) finds the move missed and makes it.
    let sweptMeanwhile = 0;
    beforeEndMovedBy(request.id, extensionId, async () => {
      advance(2 * MINUTE);
      sweptMeanwhile = await h.app.scheduler.runDue();
    });
    await h.click(users.approver, 'approve', { requestId: extensionId });
    expect((await h.settle(extensionId)).state).toBe('succeeded');
    await h.app.services.executor.drain();
    expect(sweptMeanwhile).toBeGreaterThanOrEqual(1);

    const original = (await h.app.store.get(request.id))!;
    expect({ state: original.state, expiresAt: original.access?.expiresAt, by: original.access?.extendedBy }).toEqual({
      state: 'succeeded',
      expiresAt: '2026-11-30T11:00:00.000Z',
      by: [extensionId],
    });
    const extended = (await actions(request.id)).filter((a) => a.startsWith('access.extended'));
    expect(extended).toEqual(['access.extended:extended']);
    expect(assignmentsOn(contosoId)).toHaveLength(1);
    expect(endNotices()).toEqual([]);
  });
});
