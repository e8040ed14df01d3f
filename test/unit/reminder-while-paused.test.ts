/**
 * A reminder sent while new access is paused offers no Extend (the extension would be refused,
 * RequestService.assertOpen) and says why, naming who paused it and since when, never why: the
 * lifecycle reads the pause when the reminder goes, and the cards leave out the inputs and button.
 */
import type { AccessPause, ScheduledJob } from '../../src/domain/ports';
import type { AccessRequest } from '../../src/domain/request';
import { AccessLifecycle, accessReminderJobId, type RequesterNews } from '../../src/flows/access-lifecycle';
import type { SecretRunnerPorts } from '../../src/flows/secret-runner';
import { MemoryPauseStore } from '../../src/integrations/store/memory-pause-store';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import { credentialReminderCard, expiryReminderCard } from '../../src/views/lifecycle-view';
import { breakGlassRequest } from './support/break-glass';
import { FakeClock, HOUR } from './support/fake-clock';
import { APPROVER, pendingRequest, secretPlan } from './support/requests';

const DAY = 24 * HOUR;
const NOW = '2025-02-12T10:00:00.000Z';
const ENDS = '2025-02-13T10:00:00.000Z';

const granted: AccessRequest = pendingRequest({
  state: 'succeeded',
  version: 4,
  decision: { by: APPROVER, at: '2025-01-14T10:00:00.000Z', approved: true },
  access: { durationMs: 30 * DAY, expiresAt: ENDS },
});

/** In force since 09:30 UTC, by someone whose display name holds a link (user text). */
const pause: AccessPause = {
  since: '2025-02-12T09:30:00.000Z',
  by: { objectId: APPROVER.objectId, name: 'Alex www.evil.example' },
  reason: 'investigating Riley, suspected leak',
};
const told = { since: pause.since, by: { name: pause.by.name } };

/** Everything a card shows or carries, as one string. */
const shown = (card: unknown): string => JSON.stringify(card);

/** What a card offers to extend: the Extend button and the inputs it reads. */
function extendOffered(card: unknown): boolean {
  const text = shown(card);
  return text.includes('"verb":"extend"') || text.includes('"id":"duration"');
}

describe('the reminder cards while new access is paused', () => {
  test('the expiry reminder has no Extend and says who paused new access, and how to extend after', () => {
    const open = expiryReminderCard(granted, DAY, 30 * DAY);
    expect(extendOffered(open)).toBe(true);

    const paused = shown(expiryReminderCard(granted, DAY, 30 * DAY, told));
    expect(extendOffered(JSON.parse(paused))).toBe(false);
    expect(paused).toContain(
      'New access is paused since 2025-02-12 09:30 UTC by Alex www\u200b.evil.example, so nothing can be requested or extended until an approver resumes it.',
    );
    expect(paused).toContain(
      'Once it is resumed, you can ask for an extension with \\"@acrbot extend R-7K2M9QXA REASON\\"',
    );
    expect(paused).not.toContain('To keep it, ask for an extension');
    expect(paused).not.toContain('investigating');
  });

  test('a break-glass grant’s reminder adds the pause to its advice to ask for a normal grant', () => {
    const bg = breakGlassRequest(
      granted.requester,
      NOW,
      { dueAt: ENDS },
      { state: 'succeeded', access: granted.access },
    );
    const card = shown(expiryReminderCard(bg, HOUR, 30 * DAY, told));
    expect(extendOffered(JSON.parse(card))).toBe(false);
    expect(card).toContain('ask for a normal grant and an approver will decide. New access is paused since');
  });

  test('the credential reminder has no Extend; a permanent secret’s says asking again waits for the pause too', () => {
    const secret = { ...granted, plan: secretPlan({ expiresAt: '2025-01-24T10:00:00.000Z' }) };
    expect(extendOffered(credentialReminderCard(secret, DAY, '2025-01-24T10:00:00.000Z', 30 * DAY))).toBe(true);
    const paused = shown(credentialReminderCard(secret, DAY, '2025-01-24T10:00:00.000Z', 30 * DAY, told));
    expect(extendOffered(JSON.parse(paused))).toBe(false);
    expect(paused).toContain('pulls with the secret fail from then. New access is paused since');
    expect(paused).toContain('extend R-7K2M9QXA REASON');
    expect(paused).not.toContain('investigating');

    const permanent = { ...secret, access: { permanent: true } };
    const perm = shown(credentialReminderCard(permanent, DAY, '2026-01-14T10:00:00.000Z', 30 * DAY, told));
    expect(extendOffered(JSON.parse(perm))).toBe(false);
    expect(perm).toContain('it replaces the secret with a new credential. New access is paused since');
  });
});

describe('AccessLifecycle.onReminder reads the pause when the reminder goes', () => {
  function setup() {
    const clock = new FakeClock(NOW);
    const store = new MemoryRequestStore();
    const audit = new MemoryAuditLog(clock);
    const pauses = new MemoryPauseStore();
    const news: RequesterNews[] = [];
    const messenger = {
      tellRequester: async (_r: AccessRequest, n: RequesterNews) => void news.push(n),
      reportToApprovers: async () => undefined,
    };
    const lifecycle = new AccessLifecycle(
      store,
      audit,
      clock,
      { schedule: async () => undefined, cancel: async () => undefined, get: async () => undefined },
      {} as SecretRunnerPorts,
      { requestChanged: async () => undefined },
      messenger,
      createLogger({ level: 'silent' }),
      { remindersMs: [DAY], pauses },
    );
    const job: ScheduledJob = {
      id: accessReminderJobId(granted.id, DAY),
      kind: 'access.remind',
      dueAt: NOW,
      requestId: granted.id,
      attempts: 0,
    };
    return { store, audit, pauses, news, lifecycle, job };
  }

  test('while paused: the news names who and since when (never why), and the audit says it went without Extend', async () => {
    const t = setup();
    await t.store.create(granted);
    await t.pauses.pause(pause);
    await t.lifecycle.onReminder(t.job);
    expect(t.news).toEqual([{ kind: 'expiring', inMs: DAY, paused: told }]);
    const [entry] = await t.audit.forRequest(granted.id);
    expect(entry).toMatchObject({ action: 'access.reminded', outcome: 'sent' });
    expect(entry!.detail).toBe(`expires ${ENDS}; without Extend: new access is paused`);
  });

  test('once it is lifted, the next reminder offers Extend again', async () => {
    const t = setup();
    await t.store.create(granted);
    await t.pauses.pause(pause);
    await t.pauses.resume();
    await t.lifecycle.onReminder(t.job);
    expect(t.news).toEqual([{ kind: 'expiring', inMs: DAY }]);
    expect((await t.audit.forRequest(granted.id))[0]!.detail).toBe(`expires ${ENDS}`);
  });
});
