/**
 * The tab says why a grant reads drifted (src/tab/drift-text.ts): the reason the drift check
 * recorded — the assignment deleted outside acrbot, or intact but ignored by the registry's new
 * role assignment mode — on the request's row in the drawer, My access and the matrix; and, before
 * the drift check has run, what the inventory saw (the assignment not found in Azure; within 15
 * minutes of the grant, not in Azure's listing yet, as `check` says). Only drifted rows carry a
 * reason. Through the real app, the tab API and the ARM emulator.
 */
import { grantedBy, LISTING_LAG_GRACE_MS } from '../../src/domain/listing-lag';
import type { GrantPlan } from '../../src/domain/plan';
import { notListedYetText } from '../../src/domain/pull-diagnosis';
import { SANDBOX_REGISTRIES, sandboxResourceId } from '../../src/sandbox/fixtures';
import type { TabHistory, TabMatrixPage, TabMyAccess, TabRow } from '../../src/tab/tab-wire';
import { grantApproved } from '../helpers/grant-approved';
import { type Harness, startHarness } from '../helpers/harness';
import { MovableClock } from '../helpers/movable-clock';
import { tabCall, tabToken } from '../helpers/tab-call';

const contosoId = sandboxResourceId('registry', SANDBOX_REGISTRIES.contoso);

describe('the tab says why a grant is drifted', () => {
  let h: Harness;
  let clock: MovableClock;
  beforeEach(async () => {
    clock = new MovableClock();
    h = await startHarness({}, { clock });
  });
  afterEach(() => h.stop());

  const token = (user: 'requester' | 'approver') => tabToken(h, user);

  /** The request's row in the drawer, in My access (its requester's) and in the matrix (an approver's). */
  async function rowsOf(id: string): Promise<{ drawer: TabRow; mine: TabRow; matrix: TabRow[] }> {
    const riley = await token('requester');
    const drawer = await tabCall(h.app.url, `/api/tab/requests/${id}`, riley);
    expect(drawer.status).toBe(200);
    const mine = await tabCall(h.app.url, '/api/tab/my-access', riley);
    expect(mine.status).toBe(200);
    const matrix = await tabCall(h.app.url, '/api/tab/matrix', await token('approver'));
    expect(matrix.status).toBe(200);
    return {
      drawer: (drawer.body as TabHistory).row,
      mine: (mine.body as TabMyAccess).requests.find((r) => r.requestId === id)!,
      matrix: (matrix.body as TabMatrixPage).rows.filter((r) => r.requestId === id),
    };
  }

  test("deleted outside acrbot: before the drift check, the matrix says it is not in Azure's listing yet, then not in Azure; after it, every row says deleted", async () => {
    const request = await grantApproved(h, 'aks-prod contosoacr --for 1d deploy payments-api');
    const before = await tabCall(h.app.url, `/api/tab/requests/${request.id}`, await token('requester'));
    expect((before.body as TabHistory).row.state).not.toBe('drifted');
    expect((before.body as TabHistory).row).not.toHaveProperty('driftReason');

    // (The matrix is first read after this: this instance caches it until a request changes.)
    expect(h.app.sandbox!.arm.state.roleAssignments.delete((request.plan as GrantPlan).roleAssignmentName)).toBe(true);
    const fresh = await rowsOf(request.id);
    // The record still reads active: only the inventory, reading Azure, sees it gone. Granted
    // moments ago, Azure's listing may not show it yet (listing-lag.ts): `check`'s words, not "not found".
    expect(fresh.drawer).not.toHaveProperty('driftReason');
    expect(fresh.matrix).toEqual([
      expect.objectContaining({
        state: 'drifted',
        notListedYet: true,
        driftReason: notListedYetText(grantedBy((await h.app.store.get(request.id))!).toISOString()),
      }),
    ]);

    // Once Azure's listing has had time to show the grant (the tab's copy of the matrix is older than its TTL).
    clock.advance(LISTING_LAG_GRACE_MS);
    const seen = await rowsOf(request.id);
    expect(seen.drawer).not.toHaveProperty('driftReason');
    expect(seen.matrix).toEqual([
      expect.objectContaining({
        state: 'drifted',
        driftReason: 'role assignment not found in Azure; acrbot did not remove it',
      }),
    ]);
    expect(seen.matrix[0]).not.toHaveProperty('notListedYet');

    expect((await h.app.services.drift.sweep()).map((r) => r.id)).toEqual([request.id]);
    const after = await rowsOf(request.id);
    const deleted = { state: 'drifted', driftReason: 'role assignment deleted outside acrbot' };
    expect(after.drawer).toMatchObject(deleted);
    expect(after.mine).toMatchObject(deleted);
    expect(after.matrix).toEqual([expect.objectContaining(deleted)]);
  });

  test('intact, but the registry now uses ABAC repository permissions: the mode changed and ignores its role', async () => {
    const request = await grantApproved(h, 'aks-prod contosoacr --for 1d deploy payments-api');
    h.app.sandbox!.arm.state.getRegistry(contosoId)!.roleAssignmentMode = 'AbacRepositoryPermissions';
    expect((await h.app.services.drift.sweep()).map((r) => r.id)).toEqual([request.id]);

    const { drawer, mine, matrix } = await rowsOf(request.id);
    const modeChanged = {
      state: 'drifted',
      driftReason: "the registry's role assignment mode changed and ignores this role",
    };
    expect(drawer).toMatchObject(modeChanged);
    expect(mine).toMatchObject(modeChanged);
    expect(matrix.length).toBeGreaterThan(0);
    for (const row of matrix) expect(row).toMatchObject(modeChanged);
  });
});
