/**
 * The tab's Revoke shows what it deletes and keeps first, as chat's `revoke R-…` card does, and
 * confirms against that preview's fingerprint: `GET /api/tab/requests/:id/revoke-preview` is
 * authorised as the revoke itself (404 unseen, 403 not theirs), answers chat's lines and
 * fingerprint, and a revoke whose fingerprint no longer matches (an extension approved since)
 * is answered 409 `revoke.changed` with the new preview, and revokes nothing. On the real app in
 * sandbox mode.
 */
import { SANDBOX_USERS } from '../../src/sandbox/fixtures';
import { SANDBOX_TAB_APP_ID } from '../../src/tab/mount-tab';
import { revocationFingerprint } from '../../src/domain/revocation-fingerprint';
import { revokeConfirmCard } from '../../src/views/lifecycle-view';
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

/** Every text of a card (its steps among them), depth first. */
function cardTexts(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(cardTexts);
  if (!node || typeof node !== 'object') return [];
  const o = node as Record<string, unknown>;
  return [...(typeof o.text === 'string' ? [o.text] : []), ...Object.values(o).flatMap(cardTexts)];
}

describe('the tab revoke preview', () => {
  let h: Harness;
  let riley: string;
  let oscar: string;
  let adele: string;
  let grantId: string;

  // Each test its own app and grant (the second one revokes it), so their order does not matter.
  beforeEach(async () => {
    // Adele (on call) is an auditor: she sees everything but may not revoke.
    h = await startHarness({ ACRBOT_AUDITORS: SANDBOX_USERS.oncall.objectId });
    const issuer = h.app.sandbox!.identity;
    const grant = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api to prod');
    await h.click(users.approver, 'approve', { requestId: grant.id });
    await h.settle(grant.id);
    grantId = grant.id;
    [riley, oscar, adele] = await Promise.all(
      ['requester', 'outsider', 'oncall'].map((user) => issuer.issue({ user, audience: AUDIENCE })),
    );
  });
  afterEach(async () => {
    await h?.stop();
  });

  const revokeAudits = async (id: string) =>
    (await h.app.audit.forRequest(id)).filter((e) => e.action === 'access.revoke.requested');

  test('authorised as the revoke: 404 for one the caller cannot see, 403 for a bystander; chat’s lines for the requester', async () => {
    const previewPath = `/api/tab/requests/${grantId}/revoke-preview`;
    const unseen = await call(h, previewPath, oscar);
    expect(unseen).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect(await call(h, '/api/tab/requests/R-NOSUCH01/revoke-preview', riley)).toMatchObject({ status: 404 });
    const bystander = await call(h, previewPath, adele);
    expect(bystander).toMatchObject({ status: 403, body: { error: 'revoke.notAllowed' } });
    expect(bystander.body).not.toHaveProperty('lines');

    const own = await call(h, previewPath, riley);
    expect(own.status).toBe(200);
    // The very lines and fingerprint chat's `revoke R-…` card shows for it now.
    const stored = (await h.app.store.get(grantId))!;
    const steps = await h.app.services.lifecycle.flow.preview(stored);
    expect(own.body).toEqual({
      requestId: grantId,
      lines: expect.any(Array),
      fingerprint: revocationFingerprint([{ request: stored, lines: steps }]),
    });
    expect(own.body.lines[0]).toMatch(/^(Delete|Keep) role assignment /);
    const card = cardTexts(revokeConfirmCard(stored, steps, undefined)).map((t) => t.replace(/^• /, ''));
    for (const line of own.body.lines) expect(card).toContain(line);
    // Reading it changes nothing.
    expect((await h.app.store.get(grantId))!.state).toBe('succeeded');
    expect(await revokeAudits(grantId)).toEqual([]);
  });

  test('a fingerprint that no longer matches (an extension approved since) → 409 with the new preview; nothing revoked', async () => {
    const shown = await call(h, `/api/tab/requests/${grantId}/revoke-preview`, riley);
    const asked = await call(h, `/api/tab/requests/${grantId}/extend`, riley, {
      // Longer than the grant's term left (30 days): an extension ending sooner changes nothing.
      duration: '90d',
      reason: 'release still running',
    });
    expect(asked.status).toBe(202);
    await h.click(users.approver, 'approve', { requestId: asked.body.requestId });
    await h.settle(asked.body.requestId);

    const stale = await call(h, `/api/tab/requests/${grantId}/revoke`, riley, {
      reason: 'no longer needed here',
      fingerprint: shown.body.fingerprint,
    });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ error: 'revoke.changed', preview: { requestId: grantId } });
    expect(stale.body.message).toContain('Nothing was revoked');
    expect(stale.body.preview.fingerprint).not.toBe(shown.body.fingerprint);
    // What changed is listed: the extension ends with it.
    expect(stale.body.preview.lines).toContainEqual(expect.stringContaining(`extension ${asked.body.requestId}`));
    expect((await h.app.store.get(grantId))!.state).toBe('succeeded');
    expect(await revokeAudits(grantId)).toEqual([]);

    // A fingerprint that is no text is refused as bad input, nothing revoked either.
    const odd = await call(h, `/api/tab/requests/${grantId}/revoke`, riley, {
      reason: 'no longer needed',
      fingerprint: 7,
    });
    expect(odd).toMatchObject({ status: 400, body: { error: 'bad_request' } });
    expect((await h.app.store.get(grantId))!.state).toBe('succeeded');

    // A bystander's confirm is refused as the revoke refuses it, whatever fingerprint it sends.
    const bystander = await call(h, `/api/tab/requests/${grantId}/revoke`, adele, {
      reason: 'auditors do not revoke',
      fingerprint: stale.body.preview.fingerprint,
    });
    expect(bystander).toMatchObject({ status: 403, body: { error: 'revoke.notAllowed' } });

    // The preview as it is now revokes.
    const done = await call(h, `/api/tab/requests/${grantId}/revoke`, riley, {
      reason: 'no longer needed here',
      fingerprint: stale.body.preview.fingerprint,
    });
    expect(done.status).toBe(200);
    expect(done.body.message).toMatch(new RegExp(`^Revok(ed|ing) ${grantId}`));
    expect(await revokeAudits(grantId)).toHaveLength(1);
  });
});
