/**
 * The pause of new access as a flow (flows/access-pause.ts): approvers only, the reason checked,
 * a resume lifts only the pause it names, and G11: a pause or resume whose audit entry cannot be
 * written is undone (only that change) and reported.
 */
import type { AuditEvent } from '../../src/domain/audit-chain';
import { AccessPauseService } from '../../src/flows/access-pause';
import { MemoryPauseStore } from '../../src/integrations/store/memory-pause-store';
import { MemoryAuditLog } from '../../src/integrations/store/memory-stores';
import { LogCapture } from '../helpers/log-capture';
import { FakeClock, MINUTE } from './support/fake-clock';
import { APPROVER, OUTSIDER, REQUESTER } from './support/requests';

/** An audit log whose appends fail while `failing` is set (storage unreachable). */
class FlakyAuditLog extends MemoryAuditLog {
  failing = false;
  /** Runs before a failing append answers (another instance acting meanwhile). */
  meanwhile?: () => Promise<unknown>;
  override async append(event: AuditEvent) {
    if (this.failing) {
      await this.meanwhile?.();
      throw new Error('storage unreachable');
    }
    return super.append(event);
  }
}

/** A pause store whose writes fail while `failing` is set (the undo cannot run either). */
class FlakyPauseStore extends MemoryPauseStore {
  failing = false;
  override async resume(...args: Parameters<MemoryPauseStore['resume']>) {
    if (this.failing) throw new Error('storage unreachable');
    return super.resume(...args);
  }
  override async pause(...args: Parameters<MemoryPauseStore['pause']>) {
    if (this.failing) throw new Error('storage unreachable');
    return super.pause(...args);
  }
}

function setup() {
  const clock = new FakeClock('2026-11-30T09:00:00.000Z');
  const store = new FlakyPauseStore();
  const audit = new FlakyAuditLog(clock);
  const logs = new LogCapture();
  const approvers = new Set([APPROVER.objectId, OUTSIDER.objectId]);
  const pauses = new AccessPauseService(
    store,
    audit,
    clock,
    async (actor) => approvers.has(actor.objectId),
    logs.logger(),
    async (event) => void (await audit.append({ ...event, targetIds: [] })),
    // Every account enabled here: disabled-approver-pause.test.ts reads them in the Graph emulator.
    async () => 'enabled' as const,
  );
  const as = (actor: typeof APPROVER) => ({ actor, tenantId: 'tenant-1' });
  return { clock, store, audit, pauses, as, logs };
}

describe('AccessPauseService', () => {
  test('a pause whose audit entry cannot be written is undone and reported; nothing is paused', async () => {
    const t = setup();
    t.audit.failing = true;
    await expect(t.pauses.pause(t.as(APPROVER), 'incident 42, investigating')).rejects.toMatchObject({
      code: 'audit.unavailable',
      message: expect.stringContaining('so acrbot changed nothing'),
    });
    expect(await t.store.current()).toBeUndefined();
    expect(t.logs.entries().map((e) => e.msg)).toContain('audit write failed; undoing the change to the pause');
  });

  test('the undo lifts only its own pause: one another approver put in force meanwhile stays', async () => {
    const t = setup();
    t.audit.failing = true;
    // Between our pause and its failed entry: lifted by someone, and paused again by someone else.
    t.audit.meanwhile = async () => {
      t.audit.meanwhile = undefined;
      await t.store.resume();
      t.clock.advance(MINUTE);
      await t.store.pause({ since: t.clock.now().toISOString(), by: OUTSIDER, reason: 'second incident' });
    };
    // Not "changed nothing": the state changed under it, and the answer says where to look.
    await expect(t.pauses.pause(t.as(APPROVER), 'incident 42, investigating')).rejects.toMatchObject({
      code: 'audit.unavailable',
      message: expect.stringContaining('could not undo the change'),
    });
    expect(await t.store.current()).toMatchObject({ by: { objectId: OUTSIDER.objectId }, reason: 'second incident' });
  });

  test('when the undo fails too, the answer says so instead of "changed nothing" (a pause, and a resume)', async () => {
    const t = setup();
    t.audit.failing = true;
    // The store takes the pause, then fails for the undo.
    t.audit.meanwhile = async () => {
      t.store.failing = true;
    };
    await expect(t.pauses.pause(t.as(APPROVER), 'incident 42, investigating')).rejects.toMatchObject({
      code: 'audit.unavailable',
      message: expect.stringContaining('could not undo the change'),
    });
    t.store.failing = false;
    const pause = (await t.store.current())!;
    expect(pause).toMatchObject({ reason: 'incident 42, investigating' });
    t.audit.meanwhile = async () => {
      t.store.failing = true;
    };
    await expect(t.pauses.resume(t.as(APPROVER), undefined, pause)).rejects.toMatchObject({
      code: 'audit.unavailable',
      message: expect.stringContaining('could not undo the change'),
    });
    t.store.failing = false;
    expect(await t.store.current()).toBeUndefined();
    expect(
      t.logs.entries().filter((e) => e.msg === 'the unaudited change to the pause could not be undone'),
    ).toHaveLength(2);
  });

  test('a resume whose audit entry cannot be written puts the pause back', async () => {
    const t = setup();
    const { pause } = await t.pauses.pause(t.as(APPROVER), 'incident 42, investigating');
    t.audit.failing = true;
    await expect(t.pauses.resume(t.as(APPROVER), undefined, pause)).rejects.toMatchObject({
      code: 'audit.unavailable',
    });
    expect(await t.store.current()).toEqual(pause);
    t.audit.failing = false;
    expect(await t.pauses.resume(t.as(APPROVER), 'incident closed', pause)).toEqual(pause);
    const [paused, resumed] = await t.audit.latest(2);
    expect([paused.action, resumed.action]).toEqual(['access.paused', 'access.resumed']);
    expect(paused).toMatchObject({ actor: { objectId: APPROVER.objectId }, detail: 'incident 42, investigating' });
    expect(resumed.detail).toBe(
      `incident closed; was paused since 2026-11-30 09:00 UTC by ${APPROVER.name} (${APPROVER.objectId}): incident 42, investigating`,
    );
    // One line each for the operators' alerts: who and when, never the reason (it is user text).
    const lines = t.logs.entries().filter((e) => /^new access (paused|resumed)$/.test(String(e.msg)));
    expect(lines).toEqual([
      expect.objectContaining({ level: 40, msg: 'new access paused', pausedBy: APPROVER.objectId }),
      expect.objectContaining({ level: 30, msg: 'new access resumed', resumedBy: APPROVER.objectId }),
    ]);
    expect(JSON.stringify(lines)).not.toContain('incident 42');
  });

  test('a resume names its pause: a later pause (lifted and paused again) is not lifted by it', async () => {
    const t = setup();
    const { pause: first } = await t.pauses.pause(t.as(APPROVER), 'incident 42, investigating');
    await t.pauses.resume(t.as(APPROVER), undefined, first);
    t.clock.advance(MINUTE);
    const { pause: second } = await t.pauses.pause(t.as(OUTSIDER), 'incident 43, investigating');
    expect(await t.pauses.resume(t.as(APPROVER), undefined, first)).toBeUndefined();
    expect(await t.store.current()).toEqual(second);
    expect((await t.audit.latest(10)).filter((e) => e.action === 'access.resumed')).toHaveLength(1);
  });

  test('a requester may neither pause nor resume; the refusal is audited and nothing changes', async () => {
    const t = setup();
    await expect(t.pauses.pause(t.as(REQUESTER), 'I would like to stop this')).rejects.toMatchObject({
      code: 'pause.notApprover',
    });
    const { pause } = await t.pauses.pause(t.as(APPROVER), 'incident 42, investigating');
    await expect(t.pauses.resume(t.as(REQUESTER), undefined, pause)).rejects.toMatchObject({
      code: 'resume.notApprover',
    });
    expect(await t.store.current()).toEqual(pause);
    expect((await t.audit.latest(3)).map((e) => e.action)).toEqual([
      'access.pause.refused.notApprover',
      'access.paused',
      'access.resume.refused.notApprover',
    ]);
  });
});
