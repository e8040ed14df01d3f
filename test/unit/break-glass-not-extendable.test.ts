/**
 * Break-glass access is never extended (the policy refuses it, G18), so nothing offers it: the
 * extend rule refuses it before any card or tab shows Extend, the reminder before its end has no
 * Extend button and says to ask for a normal grant, and the tab does not suggest extending in chat.
 */
import { AccessActions } from '../../src/flows/access-actions';
import { UserFacingError } from '../../src/domain/errors';
import { expiryReminderCard } from '../../src/views/lifecycle-view';
import { extendInChatHint } from '../../web/src/format';
import type { Row } from '../../web/src/types';
import { breakGlassRequest } from './support/break-glass';
import { OLIVE } from './support/policy-fixtures';
import { pendingRequest, REQUESTER } from './support/requests';

const AT = '2026-12-01T10:00:00.000Z';
const granted = breakGlassRequest(
  OLIVE,
  AT,
  { dueAt: '2026-12-02T10:00:00.000Z' },
  {
    state: 'succeeded',
    access: { durationMs: 4 * 3_600_000, expiresAt: '2026-12-01T14:00:00.000Z' },
  },
);

test('the extend rule refuses break-glass access, so no Extend is offered for it', () => {
  const actions = new AccessActions({} as never, {} as never, {} as never);
  const err = (() => {
    try {
      actions.mayExtend(OLIVE, granted);
    } catch (e) {
      return e;
    }
  })();
  expect(err).toBeInstanceOf(UserFacingError);
  expect(err).toMatchObject({ code: 'extend.breakGlass' });
  expect((err as Error).message).toContain('break-glass access, which cannot be extended');
  expect(actions.canExtend(OLIVE, granted)).toBe(false);
  // Anyone else is told only that it is not theirs (the tab answers that 403), not what it was.
  expect(() => actions.mayExtend(REQUESTER, granted)).toThrow(expect.objectContaining({ code: 'extend.notRequester' }));
  // A normal grant of the same shape may still be extended by its requester.
  const normal = pendingRequest({ state: 'succeeded', access: granted.access });
  expect(actions.canExtend(REQUESTER, normal)).toBe(true);
});

test('the reminder before a break-glass grant ends has no Extend button and says to ask for a grant', () => {
  const card = JSON.stringify(expiryReminderCard(granted, 3_600_000, 30 * 86_400_000));
  expect(card).not.toContain('"verb":"extend"');
  expect(card).toContain('It was break-glass access, which cannot be extended');
  const normal = JSON.stringify(
    expiryReminderCard(pendingRequest({ state: 'succeeded', access: granted.access }), 3_600_000, 30 * 86_400_000),
  );
  expect(normal).toContain('"verb":"extend"');
});

test('the tab does not suggest extending break-glass access in chat', () => {
  const row = {
    state: 'active',
    requestState: 'succeeded',
    expiresAt: '2026-12-01T14:00:00.000Z',
    requester: { objectId: 'me', name: 'Adele' },
    breakGlass: { by: { objectId: 'me', name: 'Adele' }, at: AT, approval: 'break-glass: ran at once' },
  } as unknown as Row;
  expect(extendInChatHint(row, 'me')).toBe(false);
  expect(extendInChatHint({ ...row, breakGlass: undefined }, 'me')).toBe(true);
});
