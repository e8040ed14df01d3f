/**
 * The tab's revoke checks what it was sent before it draws the preview again: a bad reason is
 * answered 400 (`validation.reason` / `validation.secret`) whatever fingerprint comes with it,
 * even one that no longer matches (which would be 409 `revoke.changed`), and the preview, which
 * reads Azure, is not drawn for it: the ARM emulator answers no request. On the real app in
 * sandbox mode.
 */
import { SANDBOX_TAB_APP_ID } from '../../src/tab/mount-tab';
import { type Harness, startHarness, users } from '../helpers/harness';

const AUDIENCE = `api://localhost/${SANDBOX_TAB_APP_ID}`;

async function call(h: Harness, path: string, token: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${h.app.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      Authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

describe('the tab revoke: its input before the preview', () => {
  let h: Harness;
  let riley: string;
  let grantId: string;

  beforeEach(async () => {
    h = await startHarness();
    const grant = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api to prod');
    await h.click(users.approver, 'approve', { requestId: grant.id });
    await h.settle(grant.id);
    grantId = grant.id;
    riley = await h.app.sandbox!.identity.issue({ user: 'requester', audience: AUDIENCE });
  });
  afterEach(async () => {
    await h?.stop();
  });

  const armCalls = () => h.app.sandbox!.arm.requests.length;
  const revokePath = () => `/api/tab/requests/${grantId}/revoke`;

  test('a bad reason with a fingerprint that no longer matches → 400 for the reason, not 409; no ARM call, nothing revoked', async () => {
    const shown = await call(h, `/api/tab/requests/${grantId}/revoke-preview`, riley);
    expect(shown.status).toBe(200);
    // Not the one the preview answered: with a good reason, the list is drawn again (reading
    // Azure) and found changed.
    const stale = `${shown.body.fingerprint}-stale`;
    let calls = armCalls();
    const changed = await call(h, revokePath(), riley, { reason: 'no longer needed here', fingerprint: stale });
    expect(changed).toMatchObject({ status: 409, body: { error: 'revoke.changed' } });
    expect(armCalls()).toBeGreaterThan(calls);

    const cases: Array<[string, string]> = [
      ['', 'validation.reason'],
      ['short', 'validation.reason'],
      ['y'.repeat(501), 'validation.reason'],
      ['rotating, password: hunter2hunter2', 'validation.secret'],
    ];
    for (const [reason, code] of cases) {
      calls = armCalls();
      const res = await call(h, revokePath(), riley, { reason, fingerprint: stale });
      expect({ reason, status: res.status, error: res.body.error }).toEqual({ reason, status: 400, error: code });
      expect(res.body).not.toHaveProperty('preview');
      expect(res.body.message).not.toContain('hunter2');
      expect(armCalls()).toBe(calls);
    }
    // With the fingerprint it was shown, too: the reason first, and no read of Azure.
    calls = armCalls();
    const fresh = await call(h, revokePath(), riley, { reason: 'x', fingerprint: shown.body.fingerprint });
    expect(fresh).toMatchObject({ status: 400, body: { error: 'validation.reason' } });
    expect(armCalls()).toBe(calls);

    expect((await h.app.store.get(grantId))!.state).toBe('succeeded');
    const audit = await h.app.audit.forRequest(grantId);
    expect(audit.map((e) => e.action)).not.toContain('access.revoke.requested');
  });
});
