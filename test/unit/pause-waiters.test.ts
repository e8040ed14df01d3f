/**
 * People refused while new access was paused (flows/pause-waiters.ts): recorded once each, at
 * most MAX_WAITERS, waiting while paused, told once when open; a failed send is one warning.
 */
import type { AccessPause } from '../../src/domain/ports';
import {
  askAgainTyped,
  MAX_WAITERS,
  notePauseRefusal,
  PauseWaiters,
  pauseRefusalNoted,
  RECHECK_MS,
  REOPENED_KIND,
  type TellReopened,
  watchPauseRefusal,
} from '../../src/flows/pause-waiters';
import { MemoryScheduleStore } from '../../src/integrations/store/memory-coordination';
import { MemoryPauseStore } from '../../src/integrations/store/memory-pause-store';
import { LogCapture } from '../helpers/log-capture';
import { FakeClock } from './support/fake-clock';

const PAUSE: AccessPause = {
  since: '2025-01-15T09:00:00.000Z',
  by: { objectId: 'oid-approver', name: 'Alex' },
  reason: 'unexpected grants on prod',
};
const CONVERSATION = { conversation: { id: '19:platform-requests;messageid=1' } };

/** `tell`: how people are told (by default, into `told`); `null`: a process that cannot tell. */
function world(tell?: TellReopened | null) {
  const clock = new FakeClock('2025-01-15T09:00:00.000Z');
  const jobs = new MemoryScheduleStore();
  const pauses = new MemoryPauseStore();
  const logs = new LogCapture();
  const told: Array<{ conversation: unknown; command: string | undefined }> = [];
  const waiters = new PauseWaiters(
    jobs,
    pauses,
    clock,
    logs.logger(),
    tell === null
      ? undefined
      : (tell ??
          (async (conversation, command) => {
            told.push({ conversation, command });
          })),
  );
  const jobsNow = () => jobs.withIdPrefix(`${REOPENED_KIND}:`, 1000);
  return { clock, jobs, pauses, logs, waiters, told, jobsNow };
}

test('a requester is recorded once (the first refusal: `knownHere` when refused again in its conversation), due after RECHECK_MS; the command is kept only when it was a request', async () => {
  const w = world();
  expect(
    await w.waiters.note({ objectId: 'OID-R', conversation: CONVERSATION, typed: 'grant aks-prod acr  fix it' }),
  ).toBe('noted');
  expect(await w.waiters.note({ objectId: 'oid-r', conversation: { other: true }, typed: 'secret x y z' })).toBe(
    'known',
  );
  // Refused again where first refused: that conversation is the one told (the refusal says "here").
  expect(
    await w.waiters.note({ objectId: 'oid-r', conversation: { conversation: { ...CONVERSATION.conversation } } }),
  ).toBe('knownHere');
  // Another thread of the same channel is another conversation.
  expect(
    await w.waiters.note({
      objectId: 'oid-r',
      conversation: { conversation: { id: '19:platform-requests;messageid=2' } },
    }),
  ).toBe('known');
  const [job] = await w.jobsNow();
  expect(job).toMatchObject({
    id: 'access.reopened:oid-r',
    dueAt: new Date(Date.parse('2025-01-15T09:00:00.000Z') + RECHECK_MS).toISOString(),
    payload: { conversation: CONVERSATION, command: '@acrbot grant aks-prod acr fix it' },
  });
  expect(askAgainTyped('stop the prod outage')).toBeUndefined();
  // Never kept nor posted again: text that looks like a credential.
  expect(askAgainTyped('grant aks-prod acr deploy with password: hunter2xyz')).toBeUndefined();
  expect(askAgainTyped('extend R-2345ABCD --for 1d still needed')).toBe(
    '@acrbot extend R-2345ABCD --for 1d still needed',
  );
});

test(`past ${MAX_WAITERS} people, nobody more is recorded (logged, not an error)`, async () => {
  const w = world();
  for (let i = 0; i < MAX_WAITERS; i++)
    expect(await w.waiters.note({ objectId: `oid-${i}`, conversation: CONVERSATION })).toBe('noted');
  expect(await w.waiters.note({ objectId: 'oid-late', conversation: CONVERSATION })).toBe('full');
  // One already recorded is still known (refused again in the same conversation: here).
  expect(await w.waiters.note({ objectId: 'oid-7', conversation: CONVERSATION })).toBe('knownHere');
  expect(await w.jobsNow()).toHaveLength(MAX_WAITERS);
  expect(w.logs.entries().filter((e) => e.level === 30 && /not recorded to be told/.test(String(e.msg)))).toHaveLength(
    1,
  );
});

test('while paused a due job waits RECHECK_MS more and tells nobody; once open it tells the person, once', async () => {
  const w = world();
  await w.pauses.pause(PAUSE);
  await w.waiters.note({ objectId: 'oid-r', conversation: CONVERSATION, typed: 'grant aks-prod acr fix it' });
  w.clock.advance(RECHECK_MS);
  const [due] = await w.jobs.due(w.clock.now(), 10);
  await w.waiters.onDue(due);
  expect(w.told).toEqual([]);
  const [waiting] = await w.jobsNow();
  expect(waiting.dueAt).toBe(new Date(w.clock.now().getTime() + RECHECK_MS).toISOString());

  await w.pauses.resume();
  expect(await w.waiters.bringForward()).toBe(1);
  const [now] = await w.jobs.due(w.clock.now(), 10);
  expect(now.id).toBe('access.reopened:oid-r');
  await w.waiters.onDue(now);
  expect(w.told).toEqual([{ conversation: CONVERSATION, command: '@acrbot grant aks-prod acr fix it' }]);
});

test('a failed send is one warning and is not tried again (the job ends); the resume is not touched', async () => {
  let tells = 0;
  const w = world(async () => {
    tells++;
    throw new Error('403 the bot was removed from the conversation');
  });
  await w.waiters.note({ objectId: 'oid-r', conversation: CONVERSATION });
  // Every write to the pause store, to show the failure touches none.
  const pauseWrites: string[] = [];
  for (const op of ['pause', 'resume', 'amend'] as const) {
    const original = (w.pauses[op] as (...args: unknown[]) => Promise<unknown>).bind(w.pauses);
    (w.pauses as unknown as Record<string, unknown>)[op] = async (...args: unknown[]) => {
      pauseWrites.push(op);
      return original(...args);
    };
  }
  w.clock.advance(RECHECK_MS);
  const [due] = await w.jobs.due(w.clock.now(), 10);
  await expect(w.waiters.onDue(due)).resolves.toBeUndefined();
  expect(tells).toBe(1);
  const warnings = w.logs.entries().filter((e) => e.level === 40);
  expect(warnings.map((e) => e.msg)).toEqual([
    'a requester refused during the pause could not be told that new access is open again',
  ]);
  // Not put back for later: the stored job is the one that ran (the scheduler removes it).
  expect(await w.jobsNow()).toEqual([due]);
  expect(pauseWrites).toEqual([]);
  expect(await w.pauses.current()).toBeUndefined();
});

test('a process that cannot tell (no tell given) fails a job due while open, so the scheduler retries it; while paused it waits as before', async () => {
  const w = world(null);
  await w.waiters.note({ objectId: 'oid-r', conversation: CONVERSATION });
  await w.pauses.pause(PAUSE);
  w.clock.advance(RECHECK_MS);
  const [whilePaused] = await w.jobs.due(w.clock.now(), 10);
  await expect(w.waiters.onDue(whilePaused)).resolves.toBeUndefined();
  await w.pauses.resume();
  w.clock.advance(RECHECK_MS);
  const [due] = await w.jobs.due(w.clock.now(), 10);
  await expect(w.waiters.onDue(due)).rejects.toThrow('nothing to tell requesters with');
  // Kept for the scheduler to retry: not removed, not moved.
  expect(await w.jobsNow()).toEqual([due]);
});

test('a turn is marked refused only when notePauseRefusal runs inside it', async () => {
  expect(await watchPauseRefusal(async () => undefined)).toBe(false);
  expect(
    await watchPauseRefusal(async () => {
      await Promise.resolve();
      expect(pauseRefusalNoted()).toBe(false);
      notePauseRefusal();
      // Read back inside the work, as the refusal goes out (bot/pause-refusal-watch.ts).
      expect(pauseRefusalNoted()).toBe(true);
    }),
  ).toBe(true);
  // Outside a turn (the tab): nothing to mark, nothing thrown.
  expect(() => notePauseRefusal()).not.toThrow();
});

test('a resume between its pause read and its write leaves the job due now, not an hour on (the resume skipped it as due already)', async () => {
  const w = world();
  await w.waiters.note({ objectId: 'oid-r', conversation: CONVERSATION, typed: 'grant aks-prod acr fix it' });
  w.clock.advance(RECHECK_MS);
  const [due] = await w.jobs.due(w.clock.now(), 10);
  // Paused at the job's first read, lifted (and the resume's bringForward already run) by its second.
  let reads = 0;
  const racing = new PauseWaiters(
    w.jobs,
    { current: async () => (reads++ === 0 ? PAUSE : undefined) },
    w.clock,
    w.logs.logger(),
  );
  await racing.onDue(due);
  expect(reads).toBe(2);
  const [waiting] = await w.jobsNow();
  expect(waiting.dueAt).toBe(w.clock.now().toISOString());
});
