/**
 * `AccessActions.revoke` checks its reason itself (G7, G12), so every caller (the tab today) gets
 * the same refusal: a `validation.*` error before the request is read or anything is revoked.
 */
import { UserFacingError } from '../../src/domain/errors';
import type { Actor } from '../../src/domain/request';
import { AccessActions, revokeReason } from '../../src/flows/access-actions';
import { REQUESTER, pendingRequest } from './support/requests';

/** The actor acting in the fixtures' tenant (the revoke rule checks the tenant boundary too). */
const acting = (actor: Actor) => ({ actor, tenantId: pendingRequest().tenantId });

describe('AccessActions.revoke reason', () => {
  const active = pendingRequest({ state: 'succeeded' });
  const calls: string[] = [];
  const actions = new AccessActions(
    {
      get: async () => {
        calls.push('get');
        return active;
      },
      isApproverOf: async () => false,
    } as never,
    {
      revokeSoon: async (_r: unknown, _by: unknown, reason: string) => {
        calls.push(`revokeSoon:${reason}`);
      },
    } as never,
    {} as never,
  );
  beforeEach(() => calls.splice(0));

  test.each([
    ['none', 'validation.reason', undefined],
    ['empty', 'validation.reason', ''],
    ['one character', 'validation.reason', 'x'],
    ['501 characters', 'validation.reason', 'z'.repeat(501)],
    ['a storage key', 'validation.secret', 'AccountKey=abcdEFGH1234567890=='],
    ['a JWT', 'validation.secret', 'see eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig'],
  ])('%s → %s, nothing read or revoked', async (_label, code, reason) => {
    const refused = await actions.revoke(acting(REQUESTER), active.id, reason).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(UserFacingError);
    expect((refused as UserFacingError).code).toBe(code);
    // Every refusal says the revoke stopped: a too-long or secret-looking reason too.
    expect((refused as UserFacingError).message).toMatch(/nothing was revoked\.$/i);
    expect(calls).toEqual([]);
  });

  test('a too-long or secret-looking reason says what to change, then that nothing was revoked, in chat and the tab', () => {
    for (const optional of [true, false]) {
      expect(() => revokeReason('z'.repeat(501), optional)).toThrow(
        /^The revoke reason is 501 characters long; keep it under 500\. Nothing was revoked\.$/,
      );
      expect(() => revokeReason('rotated AccountKey=abcdEFGH1234567890==', optional)).toThrow(
        /^The revoke reason looks like it contains a credential .*never paste secrets in chat\. Nothing was revoked\.$/,
      );
    }
  });

  test('a short reason is asked for as why the access ends', () => {
    expect(() => revokeReason('x')).toThrow(/why the access ends, in at least 8 characters/);
  });

  test('a good reason is revoked with, on one line', async () => {
    await actions.revoke(acting(REQUESTER), active.id, 'incident 42:\nrotate the\tcredentials');
    expect(calls).toEqual(['get', 'revokeSoon:incident 42: rotate the credentials', 'get']);
  });
});

test('a reason long enough in characters but too short to read says once that nothing was revoked', () => {
  // One letter and eleven combining marks: 12 characters, 1 a reader sees (checkReason's own refusal).
  const refused = (() => {
    try {
      revokeReason('a' + '\u0301'.repeat(11));
    } catch (err) {
      return err as Error;
    }
    throw new Error('accepted');
  })();
  expect(refused).toBeInstanceOf(UserFacingError);
  expect(refused.message).toMatch(/why the access ends/);
  expect(refused.message.match(/nothing was revoked/gi)).toHaveLength(1);
});
