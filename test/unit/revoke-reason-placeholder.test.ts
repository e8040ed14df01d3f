/**
 * The usage's `[REASON…]` pasted as a revoke's reason is answered as a revoke's placeholder: say
 * why the access ends (not why it is needed, the grant's words), that it may be left out in chat,
 * and that nothing was revoked. The tab requires its reason, so there it is not offered to leave
 * it out. A placeholder shorter than a reason is told as the placeholder, not as too short. A
 * reason too long is told its length, and that nothing was revoked, in chat too.
 */
import { UserFacingError } from '../../src/domain/errors';
import { AccessActions, revokeReason } from '../../src/flows/access-actions';
import { grantApproved } from '../helpers/grant-approved';
import { type Harness, startHarness, users } from '../helpers/harness';
import { REQUESTER, pendingRequest } from './support/requests';

function refusal(reason: string, optional?: boolean): UserFacingError {
  try {
    revokeReason(reason, optional);
  } catch (err) {
    expect(err).toBeInstanceOf(UserFacingError);
    return err as UserFacingError;
  }
  throw new Error(`expected revokeReason(${JSON.stringify(reason)}) to throw`);
}

describe('revokeReason and the usage placeholder', () => {
  test.each(['[REASON…]', 'REASON…', 'REASON...', 'REASON'])('%j in chat: the revoke prompt, leave it out', (typed) => {
    const err = refusal(typed);
    expect(err.code).toBe('validation.reason');
    expect(err.message).toBe(
      `"${typed}" is the usage's placeholder: replace it with the revoke reason itself: say why the access ends, e.g. "release done, no longer needed", or leave it out; nothing was revoked.`,
    );
    expect(err.message).not.toContain('needed, e.g. "deploy');
  });

  test('in the tab (a reason required): the same, without leaving it out', () => {
    expect(refusal('[REASON…]', false).message).toBe(
      `"[REASON…]" is the usage's placeholder: replace it with the revoke reason itself: say why the access ends, e.g. "release done, no longer needed"; nothing was revoked.`,
    );
    expect(refusal('x', false).message).toBe(
      'Say why the access ends, in at least 8 characters (e.g. "release done, no longer needed"); nothing was revoked.',
    );
  });

  test("AccessActions.revoke (the tab's) does not offer to leave it out", async () => {
    const active = pendingRequest({ state: 'succeeded' });
    const actions = new AccessActions({ get: async () => active } as never, {} as never, {} as never);
    const acting = { actor: REQUESTER, tenantId: active.tenantId };
    const err = await actions.revoke(acting, active.id, '[REASON…]').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserFacingError);
    expect((err as Error).message).toContain('say why the access ends');
    expect((err as Error).message).not.toContain('leave it out');
  });

  test('a short reason in chat may be left out too', () => {
    expect(refusal('ok').message).toBe(
      'Say why the access ends, in at least 8 characters (e.g. "release done, no longer needed"), or leave it out; nothing was revoked.',
    );
  });

  test('a reason naming the word passes', () => {
    expect(revokeReason('REASON: release done')).toBe('REASON: release done');
  });
});

describe('through the bot', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.stop());

  test('"revoke R-… [REASON…]" is told to replace or leave out the reason, and nothing is revoked', async () => {
    const granted = await grantApproved(h, 'aks-prod contosoacr --for 1d deploy payments-api');
    const said = await h.turnReplies(users.requester, `revoke ${granted.id} [REASON…]`, 'personal');
    expect(said).toContain('Could not revoke');
    expect(said).toContain(
      `"[REASON…]" is the usage's placeholder: replace it with the revoke reason itself: say why the access ends, e.g. "release done, no longer needed", or leave it out; nothing was revoked.`,
    );
    expect(said).not.toContain('deploy payments-api to prod');
    expect((await h.app.store.get(granted.id))!.state).toBe('succeeded');
  });

  test('a too-long reason is told its length and that nothing was revoked', async () => {
    const granted = await grantApproved(h, 'aks-prod contosoacr --for 1d deploy payments-api');
    const said = await h.turnReplies(users.requester, `revoke ${granted.id} ${'done '.repeat(101)}`, 'personal');
    expect(said).toContain('Could not revoke');
    expect(said).toContain('The revoke reason is 504 characters long; keep it under 500. Nothing was revoked.');
    expect((await h.app.store.get(granted.id))!.state).toBe('succeeded');
  });
});
