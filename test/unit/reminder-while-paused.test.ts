/**
 * A reminder sent while new access is paused offers no Extend (the extension would be refused,
 * RequestService.assertOpen) and says why, naming who paused it and since when, never why: the
 * lifecycle reads the pause when the reminder goes, and the cards leave out the inputs and button.
 */
import type { AccessPause } from '../../src/domain/ports';
import type { AccessRequest } from '../../src/domain/request';
import type { RequesterNews } from '../../src/flows/lifecycle-messenger';
import { credentialReminderCard, expiryReminderCard } from '../../src/views/lifecycle-view';
import { HOUR } from './support/fake-clock';
import {
  DAY,
  ENDS,
  extendOffered,
  granted,
  grantedBreakGlass,
  reminderJob,
  remindingLifecycle,
  shown,
} from './support/reminder-lifecycle';
import { APPROVER, secretPlan } from './support/requests';

/** In force since 09:30 UTC, by someone whose display name holds a link (user text). */
const pause: AccessPause = {
  since: '2025-02-12T09:30:00.000Z',
  by: { objectId: APPROVER.objectId, name: 'Alex www.evil.example' },
  reason: 'investigating Riley, suspected leak',
};
const told = { since: pause.since, by: { name: pause.by.name } };

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
      'Once it is resumed, you can ask for an extension with \\"@acrbot extend R-7K2M9QXA REASON…\\"',
    );
    expect(paused).not.toContain('To keep it, ask for an extension');
    expect(paused).not.toContain('investigating');
  });

  test('a break-glass grant’s reminder adds the pause to its advice to ask for a normal grant', () => {
    const bg = grantedBreakGlass(granted.access);
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
    expect(paused).toContain('extend R-7K2M9QXA REASON…\\"');
    expect(paused).not.toContain('investigating');

    const permanent = { ...secret, access: { permanent: true } };
    const perm = shown(credentialReminderCard(permanent, DAY, '2026-01-14T10:00:00.000Z', 30 * DAY, told));
    expect(extendOffered(JSON.parse(perm))).toBe(false);
    expect(perm).toContain('it replaces the secret with a new credential. New access is paused since');
  });
});

describe('AccessLifecycle.onReminder reads the pause when the reminder goes', () => {
  function setup() {
    const news: RequesterNews[] = [];
    const t = remindingLifecycle(() => ({
      tellRequester: async (_r: AccessRequest, n: RequesterNews) => void news.push(n),
      reportToApprovers: async () => undefined,
    }));
    return { ...t, news, job: reminderJob(granted.id) };
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
