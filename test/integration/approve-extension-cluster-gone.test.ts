/**
 * An extension asked for before the drift check read its original's cluster gone
 * (`access.clusterGoneAt`, drift-detector.ts), still pending when the note is written: its
 * Approve is refused in the note's words (cluster-gone.ts, request-decision.ts), audited as
 * `approval.refused.clusterGone`, and nothing changes: the extension stays pending (for a
 * rejection, or its own deadline), the original keeps its end. Without it the approval went
 * through and only the extension's run refused it, after the approvers were told it was approved.
 * The sweep that writes the note closes such an extension (close-pending-extensions.ts), its
 * requester told why in the note's words and the approvers' card redrawn: the refusal is for one
 * that close left pending (it failed, or a click raced it), here a note written without it.
 */
import { SANDBOX_CLUSTERS, sandboxResourceId } from '../../src/sandbox/fixtures';
import { cardText } from '../helpers/capturing-connector';
import { users } from '../helpers/harness';
import { actions, grant, h, requestExtension, start, useLifecycleHooks } from '../helpers/lifecycle';

const prodId = sandboxResourceId('cluster', SANDBOX_CLUSTERS.prod);

describe('approving an extension of a grant whose cluster is gone', () => {
  useLifecycleHooks();

  test('is refused in the note’s words, audited, nothing changed', async () => {
    await start();
    const request = await grant(users.requester, 'aks-prod contosoacr --for 3d deploy payments-api');
    const extensionId = await requestExtension(request.id, '--for 7d release still running');
    // The note as the sweep writes it, without the close of its pending extensions.
    const granted = (await h.app.store.get(request.id))!;
    await h.app.store.update({
      ...granted,
      version: granted.version + 1,
      access: { ...granted.access, clusterGoneAt: new Date().toISOString() },
    });
    const noted = (await h.app.store.get(request.id))!;
    expect(noted.access?.clusterGoneAt).toBeDefined();
    const pending = (await h.app.store.get(extensionId))!;
    expect(pending.state).toBe('pending');

    const click = await h.click(users.approver, 'approve', { requestId: extensionId });

    const said = cardText({ attachments: [{ content: click.body.value }] });
    const words = new RegExp(
      `Cluster aks-prod no longer exists \\(seen [^)]+\\), so ${request.id} gives nothing and cannot be extended; its role assignment is deleted at its end\\. Its extension ${extensionId} cannot be approved: reject it, or leave it to close without a decision\\. Nothing was changed\\.`,
    );
    expect(said).toMatch(words);
    const refusal = (await h.app.audit.forRequest(extensionId)).find(
      (e) => e.action === 'approval.refused.clusterGone',
    );
    expect(refusal?.outcome).toBe('refused');
    expect(refusal?.detail).toMatch(words);
    const audited = await actions(extensionId);
    expect(audited).not.toContain('request.approved:approved');
    expect(audited).not.toContain('approval.recorded:recorded');
    expect(await h.app.store.get(extensionId)).toEqual(pending);
    expect((await h.app.store.get(request.id))!.access?.expiresAt).toBe(noted.access?.expiresAt);
  });

  test("the sweep that writes the note closes it: its requester told why in the note's words", async () => {
    await start();
    const request = await grant(users.requester, 'aks-prod contosoacr --for 3d deploy payments-api');
    const extensionId = await requestExtension(request.id, '--for 7d release still running');
    const before = h.connector.calls.length;
    h.app.sandbox!.arm.state.removeCluster(prodId);
    await h.app.services.drift.sweep();

    const closed = (await h.app.store.get(extensionId))!;
    expect(closed.state).toBe('expired');
    expect(closed.originalClusterGoneAt).toBe((await h.app.store.get(request.id))!.access?.clusterGoneAt);
    const note = new RegExp(
      `Cluster aks-prod no longer exists \\(seen [^)]+\\), so ${request.id} gives nothing and cannot be extended; its role assignment is deleted at its end\\. Nothing was extended\\.`,
    );
    await h.connector.waitFor(
      (c) =>
        h.connector.calls.indexOf(c) >= before &&
        cardText(c.activity).includes(`Closed without a decision: ${extensionId}`) &&
        note.test(cardText(c.activity)),
      10_000,
      "the requester's news of the closed extension",
    );
    expect(await actions(extensionId)).toContain('request.expired:expired');
  });
});
