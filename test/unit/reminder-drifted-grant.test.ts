/**
 * The expiry reminder of a grant whose role assignment was removed or changed outside acrbot
 * (drift, `access.driftDetectedAt`) still goes, since its end comes all the same, but offers no
 * Extend (it would be refused with `extend.drifted`) and never reads as working access: it says
 * what happened and to ask for the access again, in the refusal's own words (drifted-access.ts).
 */
import type { CloudAdapter } from 'botbuilder';
import { CardMessenger } from '../../src/bot/card-messenger';
import { driftedExtensionRefusal } from '../../src/domain/drifted-access';
import type { AccessPause } from '../../src/domain/ports';
import type { AccessRequest } from '../../src/domain/request';
import { createLogger } from '../../src/observability/logger';
import { expiryReminderCard } from '../../src/views/lifecycle-view';
import { HOUR } from './support/fake-clock';
import { RecordingAdapter } from './support/recording-adapter';
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
import { APPROVER, CLUSTER_ID, REGISTRY_ID } from './support/requests';

const SEEN = '2025-02-10T08:00:00.000Z';

const drifted: AccessRequest = { ...granted, access: { ...granted.access!, driftDetectedAt: SEEN } };

const pause: AccessPause = {
  since: '2025-02-12T09:30:00.000Z',
  by: { objectId: APPROVER.objectId, name: 'Alex Approver' },
  reason: 'investigating Riley, suspected leak',
};
const told = { since: pause.since, by: { name: pause.by.name } };

/** The refusal's account of what happened, up to where it goes on about extending. */
const whatHappened = driftedExtensionRefusal(drifted)!.message.split(', so extending')[0]!;
/** By id: the plan did not record how its requester named them (plan.ts `typed`); JSON-escaped. */
const ASK_AGAIN = `ask for the access again with \\"@acrbot grant ${CLUSTER_ID} ${REGISTRY_ID} REASON…\\"`;

describe('the expiry reminder of a drifted grant', () => {
  test('offers no Extend and says, in the refusal’s words, what happened and to ask for the access again', () => {
    expect(whatHappened).toBe(
      'The role assignment of R-7K2M9QXA was removed or changed outside acrbot (seen 2025-02-10 08:00 UTC), and acrbot does not re-create it',
    );
    expect(extendOffered(expiryReminderCard(granted, DAY, 30 * DAY))).toBe(true);

    const card = shown(expiryReminderCard(drifted, DAY, 30 * DAY));
    expect(extendOffered(JSON.parse(card))).toBe(false);
    expect(card).toContain(
      `${whatHappened}, so R-7K2M9QXA no longer lets aks-prod pull from contosoacr and cannot be extended: to keep pulling, ${ASK_AGAIN}; an approver decides, as for any grant.`,
    );
    expect(card).toContain('Your grant aks-prod → contosoacr (AcrPull) ends at 2025-02-13 10:00 UTC.');
    // Nothing that reads as access that works, or an extension that would be granted.
    expect(card).not.toContain('Your access');
    expect(card).not.toContain('To keep it, ask for an extension');
    expect(card).not.toContain('@acrbot extend');
  });

  test('while new access is also paused: the pause too, and no "once it is resumed … extend"', () => {
    const card = shown(expiryReminderCard(drifted, DAY, 30 * DAY, told));
    expect(extendOffered(JSON.parse(card))).toBe(false);
    expect(card).toContain(
      `as for any grant. New access is paused since 2025-02-12 09:30 UTC by Alex Approver, so nothing can be requested or extended until an approver resumes it.`,
    );
    expect(card).not.toContain('Once it is resumed');
    expect(card).not.toContain('@acrbot extend');
  });

  test('a drifted break-glass grant is told about the drift, which already ends its pulls', () => {
    const bg = grantedBreakGlass(drifted.access);
    const card = shown(expiryReminderCard(bg, HOUR, 30 * DAY));
    expect(extendOffered(JSON.parse(card))).toBe(false);
    expect(card).toContain(whatHappened);
    expect(card).not.toContain('Your access');
  });
});

describe('AccessLifecycle.onReminder of a drifted grant, through the card messenger', () => {
  async function setup(request: AccessRequest) {
    const adapter = new RecordingAdapter();
    const log = createLogger({ level: 'silent' });
    const settings = { defaultAccessMs: 30 * DAY };
    const t = remindingLifecycle(
      (store) => new CardMessenger(adapter as unknown as CloudAdapter, 'app-1', store, log, undefined, settings),
    );
    await t.store.create(request);
    await t.store.addCardCopy({
      requestId: request.id,
      role: 'requester',
      activityId: 'act-1',
      conversation: { serviceUrl: 'https://smba.example/emea/', conversation: { id: 'a:riley', tenantId: 't-1' } },
    });
    return { ...t, adapter, job: reminderJob(request.id) };
  }

  test('the reminder goes, without Extend, saying what happened; the audit says why it had no Extend', async () => {
    const t = await setup(drifted);
    await t.lifecycle.onReminder(t.job);
    expect(t.adapter.posts).toHaveLength(1);
    const card = shown(t.adapter.posts[0]!.activity);
    expect(card).toContain('Access ends in 24 hours');
    expect(card).toContain(whatHappened);
    expect(extendOffered(JSON.parse(card))).toBe(false);
    const [entry] = await t.audit.forRequest(drifted.id);
    expect(entry).toMatchObject({ action: 'access.reminded', outcome: 'sent' });
    expect(entry!.detail).toBe(`expires ${ENDS}; without Extend: removed outside acrbot (seen ${SEEN})`);
  });

  test('drifted while new access is paused: both reasons are audited', async () => {
    const t = await setup(drifted);
    await t.pauses.pause(pause);
    await t.lifecycle.onReminder(t.job);
    expect(extendOffered(t.adapter.posts[0]!.activity)).toBe(false);
    expect((await t.audit.forRequest(drifted.id))[0]!.detail).toBe(
      `expires ${ENDS}; without Extend: removed outside acrbot (seen ${SEEN}), and new access is paused`,
    );
  });

  test('a grant that did not drift is reminded with Extend, as before', async () => {
    const t = await setup(granted);
    await t.lifecycle.onReminder(t.job);
    expect(extendOffered(t.adapter.posts[0]!.activity)).toBe(true);
    expect((await t.audit.forRequest(granted.id))[0]!.detail).toBe(`expires ${ENDS}`);
  });
});
