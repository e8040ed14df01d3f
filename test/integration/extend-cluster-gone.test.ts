/**
 * A grant whose cluster the drift check read gone (`access.clusterGoneAt`, drift-detector.ts)
 * gives nothing, so every way to extend it refuses it in the note's words (cluster-gone.ts,
 * AccessActions.mayExtend), audited as `extend.refused` with outcome `extend.clusterGone`:
 * `extend` in chat, a card's Extend, and the tab, which offers no Extend (and so reads no
 * extension terms from ARM for its drawer).
 */
import type { AccessRequest } from '../../src/domain/request';
import { SANDBOX_CLUSTERS, sandboxResourceId } from '../../src/sandbox/fixtures';
import { SANDBOX_TAB_APP_ID } from '../../src/tab/mount-tab';
import { cardText } from '../helpers/capturing-connector';
import { grantApproved } from '../helpers/grant-approved';
import { type Harness, startHarness, users } from '../helpers/harness';

const AUDIENCE = `api://localhost/${SANDBOX_TAB_APP_ID}`;
const GONE =
  /Cluster aks-prod no longer exists \(seen [^)]+\), so R-\w+ gives nothing and cannot be extended; its role assignment is deleted at its end\./;

describe('extending a grant whose cluster is gone', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.stop());

  async function tab(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const token = await h.app.sandbox!.identity.issue({ user: 'requester', audience: AUDIENCE });
    const res = await fetch(`${h.app.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: await res.json() };
  }

  /** The cluster deleted, and a drift check reading it gone. */
  async function clusterGone(request: AccessRequest): Promise<AccessRequest> {
    h.app.sandbox!.arm.state.removeCluster(sandboxResourceId('cluster', SANDBOX_CLUSTERS.prod));
    await h.app.services.drift.sweep();
    const noted = (await h.app.store.get(request.id))!;
    expect(noted.access?.clusterGoneAt).toBeDefined();
    return noted;
  }

  test('chat, a card’s Extend and the tab refuse it in the note’s words, audited; the tab offers no Extend', async () => {
    const request = await grantApproved(h, 'aks-prod contosoacr --for 1d deploy payments-api');
    const before = await tab('GET', `/api/tab/requests/${request.id}`);
    expect(before.body.row).toMatchObject({ canExtend: true });
    await clusterGone(request);
    const endBefore = (await h.app.store.get(request.id))!.access?.expiresAt;

    expect(await h.ask(users.requester, `extend ${request.id} --for 2d release still rolling out`)).toMatch(GONE);

    const click = await h.click(users.requester, 'extend', {
      requestId: request.id,
      duration: '2d',
      reason: 'release still rolling out',
    });
    expect(cardText({ attachments: [{ content: click.body?.value }] })).toMatch(GONE);

    const row = await tab('GET', `/api/tab/requests/${request.id}`);
    expect(row.status).toBe(200);
    expect(row.body.row).toMatchObject({ canExtend: false, canRevoke: true });
    expect(row.body.row.extendRange).toBeUndefined();
    const posted = await tab('POST', `/api/tab/requests/${request.id}/extend`, {
      duration: '2d',
      reason: 'release still rolling out',
    });
    expect(posted.status).toBeGreaterThanOrEqual(400);
    expect(posted.body).toMatchObject({ error: 'extend.clusterGone' });
    expect(posted.body.message).toMatch(GONE);

    const refusals = (await h.app.audit.forRequest(request.id))
      .filter((e) => e.action === 'extend.refused')
      .map((e) => e.outcome);
    expect(refusals).toEqual(['extend.clusterGone', 'extend.clusterGone', 'extend.clusterGone']);
    expect((await h.app.store.get(request.id))!.access?.expiresAt).toBe(endBefore);
  });
});
