/**
 * G17, what the requester is told when an extension of a grant ends on its own: its run created
 * nothing (`alreadyPresent`, "nothing re-created"), but the assignment it held is acrbot's, and
 * its revocation deletes it. The notice must not say the assignment stays ("was there before
 * acrbot") while the cluster has just lost its pull. Shared steps: test/helpers/lifecycle.ts.
 */
import { transition } from '../../src/domain/request';
import { cardText } from '../helpers/capturing-connector';
import { users } from '../helpers/harness';
import {
  useLifecycleHooks,
  h,
  now,
  contosoId,
  assignmentsOn,
  actions,
  grantWithExtensionAsked,
  beforeEndMovedBy,
} from '../helpers/lifecycle';

describe('the end notice of a grant extension revoked on its own (G17)', () => {
  useLifecycleHooks();

  test('an extension whose original was revoked while it ran is revoked too: the notice does not say the assignment stays', async () => {
    const { request, extensionId } = await grantWithExtensionAsked();
    // Just before the extension's success moves the original's end, a revocation marks the
    // original revoked (its delete not yet seen here): the extension, the same access, ends too.
    const store = h.app.store;
    const approver = { objectId: users.approver.objectId, name: users.approver.name };
    beforeEndMovedBy(request.id, extensionId, async (write) =>
      write(transition((await store.get(request.id))!, { type: 'revoke', at: now, by: approver, reason: 'leaked' })),
    );
    h.connector.clear();
    await h.click(users.approver, 'approve', { requestId: extensionId });
    await h.app.services.executor.drain();
    expect((await store.get(extensionId))!.state).toBe('revoked');
    // The extension's revocation deleted acrbot's assignment (its original made it).
    expect(await actions(extensionId)).toContain('access.revoke.roleAssignment:deleted');
    expect(assignmentsOn(contosoId)).toHaveLength(0);
    const notice = await h.connector.waitFor(
      (c) => c.op !== 'update' && new RegExp(`Revoked: ${extensionId}`).test(cardText(c.activity)),
      5000,
      'the end notice of the extension',
    );
    expect(cardText(notice.activity)).toContain('revoked your access');
    expect(cardText(notice.activity)).not.toContain('can still pull');
    expect(cardText(notice.activity)).not.toContain('was there before acrbot');
  });
});
