/**
 * A grant whose role assignment the registry's owner removed outside acrbot (`az aks update
 * --detach-acr`: drift `deleted`), then a new grant of the same pair: its approvers' card says
 * that grant's access was removed outside acrbot and when, since only they can respect or
 * override that removal, and its `request.created` entry records it. A pair without such drift,
 * and one whose removal a later approved grant already overrode (it made the assignment again),
 * show no such line. Through the real app and the ARM emulator, with a test clock (shared steps:
 * test/helpers/lifecycle.ts).
 */
import { LISTING_LAG_GRACE_MS } from '../../src/domain/listing-lag';
import type { AccessRequest } from '../../src/domain/request';
import { SANDBOX_APPROVAL_CHANNEL_ID } from '../../src/sandbox/fixtures';
import { cardText } from '../helpers/capturing-connector';
import { users } from '../helpers/harness';
import type { TeamsUser } from '../helpers/teams-activities';
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

/** The sentence's start, as the approvers' card words it. */
const DRIFT_LINE = "This pair's grant";

/** Removes every role assignment on contosoacr, as `az aks update --detach-acr` does, and lets the sweep see it. */
async function detachAndSweep(id: string): Promise<string> {
  const arm = h.app.sandbox!.arm.state;
  for (const a of assignmentsOn(contosoId)) arm.roleAssignments.delete(a.name);
  // Once Azure's listing has had time to show the grant (before, its absence is no drift: listing-lag.ts).
  advance(LISTING_LAG_GRACE_MS);
  expect((await h.app.services.drift.sweep()).map((r) => r.id)).toEqual([id]);
  const access = (await h.app.store.get(id))!.access!;
  expect(access.driftReason).toBe('deleted');
  return access.driftDetectedAt!;
}

/** `user` asks for `args`; the request, and the text of its approvers' card as first posted. */
async function requested(user: TeamsUser, args: string): Promise<{ request: AccessRequest; card: string }> {
  const request = await h.requestGrant(user, args);
  await h.app.services.background.drain();
  const posted = await h.connector.waitFor(
    (c) =>
      c.op !== 'update' &&
      c.conversationId.split(';')[0] === SANDBOX_APPROVAL_CHANNEL_ID &&
      cardText(c.activity).includes(request.id),
    5000,
    `the approvers' card of ${request.id}`,
  );
  return { request, card: cardText(posted.activity) };
}

/** How cards write a time: "2026-11-30 10:00 UTC". */
const shown = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

describe("a new grant of a pair whose access was removed outside acrbot: its approvers' card says so", () => {
  useLifecycleHooks();

  test('the drifted grant is named with its drift time on the card and in request.created', async () => {
    await start();
    const old = await grant(users.requester, 'aks-prod contosoacr --for 1d deploy payments-api');
    advance(5 * MINUTE);
    const driftAt = await detachAndSweep(old.id);
    advance(MINUTE);
    const { request, card } = await requested(users.requester, 'aks-prod contosoacr --for 1d deploy again');

    expect(card).toContain(
      `${DRIFT_LINE} ${old.id} was removed outside acrbot on ${shown(driftAt)} (drift), perhaps on purpose by the registry's owners; approving puts the access back.`,
    );
    expect(request.driftedBefore).toEqual([{ requestId: old.id, driftDetectedAt: driftAt, driftReason: 'deleted' }]);
    const created = (await h.app.audit.forRequest(request.id)).find((e) => e.action === 'request.created');
    expect(created?.detail).toContain(`${old.id} removed outside acrbot at ${driftAt}`);

    // Once decided, the line has done its work: the updated card no longer asks anyone to weigh it.
    await h.click(users.approver, 'approve', { requestId: request.id });
    expect((await h.settle(request.id)).state).toBe('succeeded');
    await h.app.services.background.drain();
    const updates = h.connector.calls.filter(
      (c) =>
        c.op === 'update' &&
        c.conversationId.split(';')[0] === SANDBOX_APPROVAL_CHANNEL_ID &&
        cardText(c.activity).includes(request.id),
    );
    expect(updates.length).toBeGreaterThan(0);
    expect(cardText(updates.at(-1)!.activity)).not.toContain(DRIFT_LINE);
  });

  test('a pair without drift: no such line, nothing recorded', async () => {
    await start();
    await grant(users.requester, 'aks-prod contosoacr --for 1d deploy payments-api');
    advance(MINUTE);
    // Overlaps the requester's grant, which is intact.
    const { request, card } = await requested(second, 'aks-prod contosoacr --for 1d second team needs it');
    expect(card).toContain(request.id);
    expect(card).not.toContain(DRIFT_LINE);
    expect(request.driftedBefore).toBeUndefined();
    const created = (await h.app.audit.forRequest(request.id)).find((e) => e.action === 'request.created');
    expect(created?.detail).not.toContain('outside acrbot');
  });

  test('a removal a later approved grant overrode (it made the assignment again) is not told again', async () => {
    await start();
    const old = await grant(users.requester, 'aks-prod contosoacr --for 3d deploy payments-api');
    await detachAndSweep(old.id);
    advance(MINUTE);
    const later = await requested(second, 'aks-prod contosoacr --for 2d second team needs it');
    expect(later.card).toContain(`${DRIFT_LINE} ${old.id} was removed outside acrbot`);
    await h.click(users.approver, 'approve', { requestId: later.request.id });
    expect((await h.settle(later.request.id)).state).toBe('succeeded');
    expect(assignmentsOn(contosoId)).toHaveLength(1);
    advance(MINUTE);
    // The requester asks again: it overlaps the later grant's assignment, there now.
    const again = await requested(users.requester, 'aks-prod contosoacr --for 1d deploy again');
    expect(again.card).not.toContain(DRIFT_LINE);
    expect(again.request.driftedBefore).toBeUndefined();
  });
});
