/**
 * An extension whose wait for a decision was cut to its original's end (extension-deadline.ts),
 * when another extension then moved that end (one that succeeded while this one was filed, its
 * move of the end landing after): at the cut deadline the access it extends still runs, so its
 * expiry does not say that access ended, its requester is asked again with `extend` (which works)
 * rather than sent to a new request. Through the real RequestService, memory stores, Scheduler and the real move of the
 * end (applyExtension), on a fake clock.
 */
import { type AccessRequest, transition } from '../../src/domain/request';
import { applyExtension } from '../../src/flows/access-extensions';
import type { LifecycleDeps } from '../../src/flows/access-lifecycle-deps';
import { createLogger } from '../../src/observability/logger';
import { requesterNewsCard } from '../../src/views/lifecycle-view';
import { breakGlassService } from './support/break-glass-service';
import { HOUR } from './support/fake-clock';
import { DAY, granted, policy, rule, TENANT } from './support/policy-fixtures';
import { APPROVER, grantPlan, REQUESTER } from './support/requests';

const ORIGIN = { conversationId: '19:general@thread.tacv2', conversationType: 'channel' };

/**
 * Riley's original, ending in an hour; an extension of it that succeeded without its move of the
 * end applied yet; a second extension filed then (its wait cut to the hour); then the first's move.
 */
async function cutThenMoved() {
  const t = breakGlassService({ policies: { current: () => policy([rule('prod')]) } });
  const ask = (reason: string, durationMs: number, extendsRequestId?: string) =>
    t.service.create({
      requester: REQUESTER,
      tenantId: TENANT,
      reason,
      plan: grantPlan(),
      origin: ORIGIN,
      access: { durationMs },
      ...(extendsRequestId && { extendsRequestId }),
    });
  const filed = await ask('deploy payments-api', HOUR);
  const done = await granted(t.store, { ...filed, state: 'approved' }, t.clock.now());
  const original: AccessRequest = {
    ...done,
    version: done.version + 1,
    access: { durationMs: HOUR, expiresAt: new Date(t.clock.now().getTime() + HOUR).toISOString() },
  };
  await t.store.update(original);
  // The first extension, approved and run: succeeded, its end 3 days on, the original not moved yet.
  const first = await ask('release slipped', 3 * DAY, original.id);
  const approved = transition(first, { type: 'approve', by: APPROVER, at: t.clock.now() });
  await t.store.update(approved);
  const ran = await granted(t.store, approved, t.clock.now());
  const firstDone: AccessRequest = {
    ...ran,
    version: ran.version + 1,
    access: { durationMs: 3 * DAY, expiresAt: new Date(t.clock.now().getTime() + 3 * DAY).toISOString() },
  };
  await t.store.update(firstDone);
  // The second, filed before that move: it reads the original's end an hour on.
  const second = await ask('and the hotfix', 7 * DAY, original.id);
  expect(second.expiresAt).toBe(original.access!.expiresAt);
  const deps = {
    store: t.store,
    audit: t.audit,
    clock: t.clock,
    jobs: t.scheduler,
    cards: { requestChanged: async () => undefined },
    log: createLogger({ level: 'silent' }),
    settings: { remindersMs: [] },
  } as unknown as LifecycleDeps;
  await applyExtension(deps, firstDone, async () => undefined);
  expect((await t.store.get(original.id))!.access!.expiresAt).toBe(firstDone.access!.expiresAt);
  return { ...t, original, second };
}

test('its expiry at the cut deadline does not say the access ended, and its requester is asked again with extend', async () => {
  const t = await cutThenMoved();
  t.clock.advance(HOUR);

  expect(await t.service.expireIfDue(t.second.id)).toBe(true);

  const stored = (await t.store.get(t.second.id))!;
  expect(stored).toMatchObject({ state: 'expired', originalWentOn: true });
  expect(stored).not.toHaveProperty('originalEnded');
  const news = JSON.stringify(requesterNewsCard(stored, { kind: 'expiredUnapproved' }));
  expect(news).not.toContain('ended before anyone decided');
  expect(news).toContain(`ask again: \\"@acrbot extend ${t.original.id} --for 7d REASON…\\".`);
  const [expired] = (await t.audit.latest(20)).filter((e) => e.action === 'request.expired');
  expect(expired.detail).toBe(
    `its wait was cut to the end of the access it extends (${t.original.id}) at 2026-11-30 10:00 UTC, which another extension moved since; that access still runs, and this one closed without a decision`,
  );
});
