/**
 * Overlap (G17) on the approvers' card: a grant asked for on acrbot's assignment that another
 * requester's grant already holds says the cluster already pulls, through which request and until
 * when, and that approving keeps (writes again) that same assignment rather than creating one —
 * through the real server and the sandbox emulators, as the approvers see it.
 */
import { formatUtc } from '../../src/domain/access-term';
import type { AccessRequest } from '../../src/domain/request';
import { SANDBOX_APPROVAL_CHANNEL_ID } from '../../src/sandbox/fixtures';
import { cardText } from '../helpers/capturing-connector';
import { users } from '../helpers/harness';
import {
  advance,
  assignmentsOn,
  contosoId,
  grant,
  h,
  MINUTE,
  second,
  start,
  useLifecycleHooks,
} from '../helpers/lifecycle';

/** The approvers' card of `request`, as first posted in the approval channel. */
async function approversCard(request: AccessRequest): Promise<string> {
  await h.app.services.background.drain();
  const posted = await h.connector.waitFor(
    (c) =>
      c.op !== 'update' &&
      c.conversationId.split(';')[0] === SANDBOX_APPROVAL_CHANNEL_ID &&
      cardText(c.activity).includes(request.id),
    5000,
    'the approvers’ card',
  );
  return cardText(posted.activity);
}

describe('a grant overlapping another requester’s grant', () => {
  useLifecycleHooks();

  test('its approvers’ card says the cluster already pulls through the first grant until its end, and that approving keeps the assignment', async () => {
    await start();
    const first = await grant(users.requester, 'aks-prod contosoacr --for 7d first team deploys');
    advance(MINUTE);
    const overlap = await h.requestGrant(second, 'aks-prod contosoacr --for 30d second team deploys');
    const firstEnd = first.access!.expiresAt!;
    // Recorded on the request when it was filed, so every copy (and a later redraw) says the same.
    expect(overlap.pullsThrough).toEqual([{ requestId: first.id, requester: first.requester.name, until: firstEnd }]);

    const card = await approversCard(overlap);
    expect(card).toContain('Already pulls');
    expect(card).toContain(
      `When this was requested: through ${first.id} (${first.requester.name}'s grant), until ${formatUtc(firstEnd)}`,
    );
    expect(card).toContain(`so revoking ${first.id} alone no longer stops the pull`);
    // The run writes the same assignment again under its name: it keeps it, it creates none.
    expect(card).toContain(
      `Keep role assignment ${(overlap.plan as { roleAssignmentName: string }).roleAssignmentName}`,
    );
    expect(card).not.toContain('Create role assignment');

    // And so it does: approved, the one assignment stays the only one.
    await h.click(users.approver, 'approve', { requestId: overlap.id });
    expect((await h.settle(overlap.id)).state).toBe('succeeded');
    expect(assignmentsOn(contosoId)).toHaveLength(1);
  });

  test('a grant on a pair nobody holds says nothing of it and creates the assignment', async () => {
    await start();
    const request = await h.requestGrant(second, 'aks-prod contosoacr --for 30d second team deploys');
    expect(request.pullsThrough).toBeUndefined();
    const card = await approversCard(request);
    expect(card).not.toContain('Already pulls');
    expect(card).toContain('Create role assignment');
  });
});
