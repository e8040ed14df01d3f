/**
 * A grant whose cluster the drift check read gone (`access.clusterGoneAt`, drift-detector.ts)
 * gives nothing, so every way to extend it refuses it in the note's words (cluster-gone.ts,
 * AccessActions.mayExtend), audited as `extend.refused` with outcome `extend.clusterGone`:
 * `extend` in chat, a card's Extend, and the tab, which offers no Extend (and so reads no
 * extension terms from ARM for its drawer).
 */
import type { AccessRequest } from '../../src/domain/request';
import { SANDBOX_CLUSTERS, sandboxResourceId } from '../../src/sandbox/fixtures';
import { expectExtendRefusedEverywhere } from '../helpers/extend-refused-everywhere';
import { grantApproved } from '../helpers/grant-approved';
import { type Harness, startHarness } from '../helpers/harness';
import { tabCall, tabToken } from '../helpers/tab-call';

const GONE =
  /Cluster aks-prod no longer exists \(seen [^)]+\), so R-\w+ gives nothing and cannot be extended; its role assignment is deleted at its end\./;

describe('extending a grant whose cluster is gone', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.stop());

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
    const before = await tabCall(h.app.url, `/api/tab/requests/${request.id}`, await tabToken(h, 'requester'));
    expect(before.body.row).toMatchObject({ canExtend: true });
    await clusterGone(request);

    const row = await expectExtendRefusedEverywhere(h, request.id, { says: GONE, outcome: 'extend.clusterGone' });
    expect(row.extendRange).toBeUndefined();
  });
});
