/**
 * MemoryAuditLog.append is all-or-nothing, as SQLite's and Tables' transactional appends are: an
 * entry that cannot be copied out (a value no structured clone takes, such as a function a
 * caller slipped past the types) fails its append and leaves nothing stored.
 */
import type { AuditEvent } from '../../src/domain/audit-chain';
import { MemoryAuditLog } from '../../src/integrations/store/memory-stores';
import { FakeClock, SECOND } from './support/fake-clock';
import { auditEvent } from './support/requests';

describe('MemoryAuditLog.append is all-or-nothing', () => {
  test('an entry that cannot be copied is refused and not kept: the chain goes on from the entry before', async () => {
    const clock = new FakeClock();
    const log = new MemoryAuditLog(clock);
    const first = await log.append(auditEvent(1));
    clock.advance(SECOND);
    // Typed as a string, given a function: only the copy made for the caller fails on it.
    const uncloneable = { ...auditEvent(2), targetIds: [(() => 'x') as unknown as string] } as AuditEvent;
    await expect(log.append(uncloneable)).rejects.toThrow(/could not be cloned/);

    await expect(log.verify()).resolves.toEqual({ intact: true, count: 1 });
    await expect(log.latest(10)).resolves.toEqual([first]);
    await expect(log.entryAt(2)).resolves.toBeUndefined();
    await expect(log.append(auditEvent(3))).resolves.toMatchObject({ seq: 2, prevHash: first.hash });
    await expect(log.verify()).resolves.toEqual({ intact: true, count: 2 });
  });

  test('one refused under an idempotency key leaves the key free: a later append under it is stored', async () => {
    const log = new MemoryAuditLog(new FakeClock());
    const uncloneable = {
      ...auditEvent(1, { idempotencyKey: 'audit.retry:k-1' }),
      correlationIds: [Symbol('id') as unknown as string],
    } as AuditEvent;
    await expect(log.append(uncloneable)).rejects.toThrow(/could not be cloned/);
    await expect(log.append(auditEvent(1, { idempotencyKey: 'audit.retry:k-1' }))).resolves.toMatchObject({
      seq: 1,
      idempotencyKey: 'audit.retry:k-1',
    });
  });
});
