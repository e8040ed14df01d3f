/**
 * A grant whose term has passed while its end job has yet to run (the instance was down, the job
 * is queued or backing off) no longer holds its access (access-lease.ts `termEndedBy`), and
 * approval refuses its extension (RequestService). So the extend rule refuses it up front: no
 * button offers it (`canExtend`, for the tab's rows and the drawer), and asking anyway (chat's
 * command, a reminder's Extend clicked late, the tab's POST) is refused and audited, with the
 * end and what happens next, before anything is created or announced.
 */
import { UserFacingError } from '../../src/domain/errors';
import type { AccessRequest } from '../../src/domain/request';
import { tabActions } from '../../src/composition/tab-actions';
import { AccessActions } from '../../src/flows/access-actions';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { FakeClock, HOUR } from './support/fake-clock';
import { APPROVER, pendingRequest, REQUESTER } from './support/requests';
import { bearer, testTabApi } from './support/tab-api';

const ENDS = '2025-03-01T09:00:00.000Z';

/** Riley's grant, granted a day before {@link ENDS}, still `succeeded` (its end job has not run). */
const granted: AccessRequest = pendingRequest({
  id: 'R-ENDED001',
  state: 'succeeded',
  decision: { by: APPROVER, at: '2025-02-28T09:00:00.000Z', approved: true },
  outcome: { summary: 'granted', azureRequestIds: [], createdIds: ['ra-1'] },
  access: { durationMs: 24 * HOUR, expiresAt: ENDS },
});

/** AccessActions on a memory store at `clock`: what it refused (audited) and created. */
function setup(clock: FakeClock) {
  const store = new MemoryRequestStore();
  const refusals: string[] = [];
  const created: unknown[] = [];
  const requests = {
    get: async (id: string) => (await store.get(id))!,
    recordRefusal: async (e: { action: string; outcome: string; requestId?: string }) =>
      void refusals.push(`${e.action}:${e.outcome}:${e.requestId}`),
    create: async (input: unknown) => void created.push(input),
    openExtensionsOf: async () => [],
    // Own tenant, not paused.
    assertOwnTenant: async () => undefined,
    assertOpen: async () => undefined,
  };
  const announced: string[] = [];
  const actions = new AccessActions(
    requests as never,
    {} as never,
    {} as never,
    {
      announcer: {
        announceExtension: async (extension) => {
          announced.push(extension.id);
          return {};
        },
      },
      execute: () => undefined,
    },
    undefined,
    undefined,
    undefined,
    clock,
  );
  return { store, actions, refusals, created, announced };
}

/** What `f` threw. */
function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('extending a grant whose term has passed but whose end job has not run', () => {
  test('the extend rule refuses it from its end on, saying when it ended and that it is being revoked', () => {
    const clock = new FakeClock(new Date(Date.parse(ENDS) - 60_000));
    const { actions } = setup(clock);
    expect(actions.canExtend(REQUESTER, granted)).toBe(true);

    clock.set(ENDS); // its end: no longer held (termEndedBy), as approval judges it
    const err = thrown(() => actions.mayExtend(REQUESTER, granted));
    expect(err).toBeInstanceOf(UserFacingError);
    expect(err).toMatchObject({
      code: 'extend.notActive',
      message: `The access of ${granted.id} ended at 2025-03-01 09:00 UTC and is being revoked, so there is nothing to extend; ask for a new request instead.`,
    });
    expect(actions.canExtend(REQUESTER, granted)).toBe(false);

    clock.advance(6 * HOUR); // the instance was down: still not revoked
    expect(actions.canExtend(REQUESTER, granted)).toBe(false);
    // Said before the requester check, as "being revoked" is: an ended term is no secret (the tab
    // shows every row's end).
    expect(thrown(() => actions.mayExtend(APPROVER, granted))).toMatchObject({ code: 'extend.notActive' });
  });

  test('asked anyway (chat, a late reminder click): refused and audited; nothing is created', async () => {
    const clock = new FakeClock(new Date(Date.parse(ENDS) + 5 * 60_000));
    const { store, actions, refusals, created } = setup(clock);
    await store.create(granted);
    await expect(
      actions.createExtension({
        actor: REQUESTER,
        tenantId: granted.tenantId,
        originalId: granted.id,
        duration: '1d',
        reason: 'release still running',
        origin: granted.origin,
      }),
    ).rejects.toMatchObject({
      code: 'extend.notActive',
      message: expect.stringContaining('ended at 2025-03-01 09:00 UTC'),
    });
    expect(refusals).toEqual([`extend.refused:extend.notActive:${granted.id}`]);
    expect(created).toEqual([]);
  });

  test('the tab offers no Extend on it, and its POST is refused (409) with the same sentence; nothing is announced', async () => {
    const clock = new FakeClock(new Date(Date.parse(ENDS) + 5 * 60_000));
    const { store, actions, announced } = setup(clock);
    await store.create(granted);
    const api = testTabApi(clock, store, {
      actions: tabActions({ actions, requests: {} as never }),
    });
    const auth = await bearer(REQUESTER, clock);

    // Its row reads "expired" (past its end), so the drawer's Extend follows the rule twice over.
    const drawer = await api.history(auth, granted.id);
    expect(drawer.status).toBe(200);
    expect((drawer.body as { row: { canExtend?: boolean } }).row.canExtend).toBe(false);

    const res = await api.extend(auth, granted.id, { duration: '1d', reason: 'release still running' });
    expect(res).toMatchObject({
      status: 409,
      body: {
        error: 'extend.notActive',
        message: expect.stringContaining('is being revoked, so there is nothing to extend'),
      },
    });
    expect(announced).toEqual([]);
  });
});
