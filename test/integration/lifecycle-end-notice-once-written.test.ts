/**
 * G17: once "revoked" is written, the requester is told and every card copy redrawn, even when
 * what follows the write fails. Before, a failed cancel of a reminder job (one store error) or a
 * process stopped right after the write ended the attempt there; its retry found the request
 * revoked and ended as done: no "Expired and revoked", the cards still "Being revoked since …",
 * pending extensions left open. Shared steps: test/helpers/lifecycle.ts.
 */
import { cardText } from '../helpers/capturing-connector';
import { users } from '../helpers/harness';
import {
  useLifecycleHooks,
  h,
  runDueAfter,
  start,
  MINUTE,
  grant,
  actions,
  jobOf,
  outcomeSent,
  requestExtension,
  beforeFirstUpdate,
} from '../helpers/lifecycle';

/** The "Expired and revoked" notices sent to the requester (not card updates, not reports). */
const endNotices = () =>
  h.connector.calls.filter((c) => c.op !== 'update' && /Expired and revoked: R-/.test(cardText(c.activity)));

/** Every copy of `id`'s card (requester's and approvers') was updated to say it expired at 10:02. */
async function cardsSayExpired(id: string): Promise<void> {
  const copies = (await h.app.store.listCardCopies(id)).filter((c) => c.role !== 'audit');
  expect(copies.length).toBeGreaterThan(1);
  for (const copy of copies)
    await h.connector.waitFor(
      (c) =>
        c.op === 'update' &&
        c.activityId === copy.activityId &&
        /Expired and revoked at 2026-11-30 10:02 UTC/.test(cardText(c.activity)),
      5000,
      `copy ${copy.role} of ${id} updated`,
    );
}

describe('the end made known after "revoked" is written (G17)', () => {
  useLifecycleHooks();

  test('a reminder job whose cancel fails does not keep the requester from being told', async () => {
    await start({ ACRBOT_EXPIRY_REMINDERS: '1m' });
    const request = await grant(users.requester, 'aks-prod contosoacr --for 2m deploy payments-api');
    await outcomeSent(request.id);
    // One store error on the first job deleted by name: the revocation's cancel of a reminder.
    const schedule = h.app.stores.schedule;
    const remove = schedule.delete.bind(schedule);
    schedule.delete = async (id) => {
      schedule.delete = remove;
      throw new Error(`503 ServerBusy deleting ${id}`);
    };
    h.connector.clear();

    // One attempt does it all: the failed cancel is logged, and the end job is done.
    await runDueAfter(2 * MINUTE);
    expect((await h.app.store.get(request.id))!.state).toBe('revoked');
    expect(schedule.delete).toBe(remove);
    expect(endNotices()).toHaveLength(1);
    await cardsSayExpired(request.id);
    expect(await actions(request.id)).toContain('access.end.told:sent');
    expect(await jobOf(`access.expire:${request.id}`)).toBeUndefined();
  });

  test('stopped right after the write: the retry tells the requester, redraws and closes the pending extension, once', async () => {
    await start();
    const request = await grant(users.requester, 'aks-prod contosoacr --for 2m deploy payments-api');
    await outcomeSent(request.id);
    const pending = await requestExtension(request.id, '--for 1h release still running');
    // The "revoked" write lands, then the attempt ends there (the process stopped).
    const store = h.app.store;
    const update = store.update.bind(store);
    store.update = async (next) => {
      if (next.id !== request.id || next.state !== 'revoked') return update(next);
      store.update = update;
      await update(next);
      throw new Error('the process stopped here');
    };
    h.connector.clear();

    await runDueAfter(2 * MINUTE);
    expect((await store.get(request.id))!.state).toBe('revoked');
    expect(endNotices()).toEqual([]);
    const job = await jobOf(`access.expire:${request.id}`);
    expect(job).toMatchObject({ attempts: 1 });

    // The job's retry finds the end written and not made known.
    await runDueAfter(MINUTE);
    expect(endNotices()).toHaveLength(1);
    await cardsSayExpired(request.id);
    expect((await store.get(pending))!.state).toBe('expired');
    expect(await actions(request.id)).toEqual(
      expect.arrayContaining(['access.expired:revoked', 'access.end.told:sent']),
    );
    expect((await actions(request.id)).filter((a) => a === 'access.expired:revoked')).toHaveLength(1);
    expect(await jobOf(`access.expire:${request.id}`)).toBeUndefined();

    // Told once: the same job run again (its delete lost, say) finds it told.
    await h.app.services.lifecycle.flow.onExpire(job!);
    await h.app.services.background.drain();
    expect(endNotices()).toHaveLength(1);
    expect((await actions(request.id)).filter((a) => a === 'access.end.told:sent')).toHaveLength(1);
  });

  test('a "revoked" write that lost a race is retried without a second `access.expired` entry', async () => {
    await start();
    const request = await grant(users.requester, 'aks-prod contosoacr --for 2m deploy payments-api');
    await outcomeSent(request.id);
    // Another write lands just before "revoked" (a card's state, a mark): the write conflicts.
    beforeFirstUpdate(
      (next) => next.id === request.id && next.state === 'revoked',
      async (write) => {
        const current = (await h.app.store.get(request.id))!;
        await write({ ...current, version: current.version + 1 });
      },
    );
    await runDueAfter(2 * MINUTE);
    expect((await h.app.store.get(request.id))!.state).toBe('succeeded');
    await runDueAfter(MINUTE);
    expect((await h.app.store.get(request.id))!.state).toBe('revoked');
    expect((await actions(request.id)).filter((a) => a === 'access.expired:revoked')).toHaveLength(1);
    expect(endNotices()).toHaveLength(1);
  });
});
