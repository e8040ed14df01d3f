/**
 * The pause of new access as a flow (flows/access-pause.ts): approvers only, the reason checked,
 * and G11: a pause or resume whose audit entry cannot be written is undone and reported.
 */
import type { AuditEvent } from '../../src/domain/audit-chain';
import { AccessPauses } from '../../src/flows/access-pause';
import { MemoryPauseStore } from '../../src/integrations/store/memory-pause-store';
import { MemoryAuditLog } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import { FakeClock } from './support/fake-clock';
import { APPROVER, REQUESTER } from './support/requests';

/** An audit log whose appends fail while `failing` is set (storage unreachable). */
class FlakyAuditLog extends MemoryAuditLog {
  failing = false;
  override async append(event: AuditEvent) {
    if (this.failing) throw new Error('storage unreachable');
    return super.append(event);
  }
}

function setup() {
  const clock = new FakeClock('2026-11-30T09:00:00.000Z');
  const store = new MemoryPauseStore();
  const audit = new FlakyAuditLog(clock);
  const approvers = new Set([APPROVER.objectId]);
  const pauses = new AccessPauses(
    store,
    audit,
    clock,
    async (actor) => approvers.has(actor.objectId),
    createLogger({ level: 'silent' }),
  );
  const as = (actor: typeof APPROVER) => ({ actor, tenantId: 'tenant-1' });
  return { store, audit, pauses, as };
}

describe('AccessPauses', () => {
  test('a pause whose audit entry cannot be written is undone and reported; nothing is paused', async () => {
    const t = setup();
    t.audit.failing = true;
    await expect(t.pauses.pause(t.as(APPROVER), 'incident 42, investigating')).rejects.toMatchObject({
      code: 'audit.unavailable',
    });
    expect(await t.store.current()).toBeUndefined();
  });

  test('a resume whose audit entry cannot be written puts the pause back', async () => {
    const t = setup();
    const { pause } = await t.pauses.pause(t.as(APPROVER), 'incident 42, investigating');
    t.audit.failing = true;
    await expect(t.pauses.resume(t.as(APPROVER), undefined)).rejects.toMatchObject({ code: 'audit.unavailable' });
    expect(await t.store.current()).toEqual(pause);
    t.audit.failing = false;
    expect(await t.pauses.resume(t.as(APPROVER), 'incident closed')).toEqual(pause);
    const [paused, resumed] = await t.audit.latest(2);
    expect([paused.action, resumed.action]).toEqual(['access.paused', 'access.resumed']);
    expect(paused).toMatchObject({ actor: { objectId: APPROVER.objectId }, detail: 'incident 42, investigating' });
    expect(resumed.detail).toBe(
      `incident closed; was paused since 2026-11-30 09:00 UTC by ${APPROVER.name} (${APPROVER.objectId}): incident 42, investigating`,
    );
  });

  test('a requester may neither pause nor resume; the refusal is audited and nothing changes', async () => {
    const t = setup();
    await expect(t.pauses.pause(t.as(REQUESTER), 'I would like to stop this')).rejects.toMatchObject({
      code: 'pause.notApprover',
    });
    await t.pauses.pause(t.as(APPROVER), 'incident 42, investigating');
    await expect(t.pauses.resume(t.as(REQUESTER), undefined)).rejects.toMatchObject({ code: 'resume.notApprover' });
    expect(await t.store.current()).toMatchObject({ reason: 'incident 42, investigating' });
    expect((await t.audit.latest(3)).map((e) => e.action)).toEqual([
      'access.pause.refused.notApprover',
      'access.paused',
      'access.resume.refused.notApprover',
    ]);
  });
});
