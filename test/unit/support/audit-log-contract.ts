/** The AuditLog contract (G11), run against every implementation. */
import { GENESIS_HASH, verifyChain } from '../../../src/domain/audit-chain';
import type { AuditLog } from '../../../src/domain/ports';
import { FakeClock, SECOND } from './fake-clock';
import { auditEvent } from './requests';

export interface AuditLogFixture {
  log: AuditLog;
  clock: FakeClock;
  dispose(): Promise<void>;
}

export function describeAuditLogContract(
  name: string,
  make: (clock: FakeClock) => Promise<AuditLogFixture> | AuditLogFixture,
): void {
  describe(`AuditLog contract: ${name}`, () => {
    let fixture: AuditLogFixture;
    let log: AuditLog;
    beforeEach(async () => {
      fixture = await make(new FakeClock('2025-01-15T09:00:00.000Z'));
      log = fixture.log;
    });
    afterEach(async () => {
      await fixture.dispose();
    });

    test('an empty log verifies as intact with 0 entries', async () => {
      await expect(log.verify()).resolves.toEqual({ intact: true, count: 0 });
      await expect(log.latest(10)).resolves.toEqual([]);
    });

    test('the first entry: seq 1, genesis prevHash, ts from the clock, detail escaped', async () => {
      fixture.clock.advance(5 * SECOND);
      const entry = await log.append(auditEvent(1, { detail: 'ok\nFAKE AUDIT' }));
      expect(entry).toMatchObject({
        seq: 1,
        prevHash: GENESIS_HASH,
        ts: '2025-01-15T09:00:05.000Z',
        detail: 'ok\\nFAKE AUDIT',
        action: 'request.created',
      });
      expect(await log.latest(1)).toEqual([entry]);
    });

    test('500 concurrent appends form one gap-free chain', async () => {
      const entries = await Promise.all(Array.from({ length: 500 }, (_, i) => log.append(auditEvent(i + 1))));
      expect(entries.map((e) => e.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
      await expect(log.verify()).resolves.toEqual({ intact: true, count: 500 });
      const stored = await log.latest(500);
      expect(stored.map((e) => e.seq)).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
      expect(verifyChain(stored)).toEqual({ intact: true, count: 500 });
    });

    test('latest(n) returns the last n in seq order; forRequest filters in seq order', async () => {
      for (let i = 1; i <= 6; i++) {
        fixture.clock.advance(SECOND);
        await log.append(auditEvent(i, { requestId: i % 2 ? 'R-AAAAAAAA' : 'R-BBBBBBBB' }));
      }
      expect((await log.latest(3)).map((e) => e.seq)).toEqual([4, 5, 6]);
      expect((await log.latest(100)).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
      // None for a limit of 0 or below (SQLite takes a negative LIMIT as no limit).
      expect(await log.latest(0)).toEqual([]);
      expect(await log.latest(-1)).toEqual([]);
      expect((await log.forRequest('R-AAAAAAAA')).map((e) => e.seq)).toEqual([1, 3, 5]);
      expect((await log.forRequest('R-BBBBBBBB')).map((e) => e.seq)).toEqual([2, 4, 6]);
      expect(await log.forRequest('R-CCCCCCCC')).toEqual([]);
    });

    test('an entry without a request id is stored and chained', async () => {
      await log.append(auditEvent(1, { requestId: undefined, action: 'rejected.tenant', outcome: 'refused' }));
      await log.append(auditEvent(2));
      await expect(log.verify()).resolves.toEqual({ intact: true, count: 2 });
      expect((await log.latest(2))[0]).toMatchObject({ seq: 1, action: 'rejected.tenant' });
      expect((await log.latest(2))[0].requestId).toBeUndefined();
    });

    test('latest(0) returns nothing', async () => {
      await log.append(auditEvent(1));
      await log.append(auditEvent(2));
      expect(await log.latest(0)).toEqual([]);
    });

    test('an append under an idempotency key already in the log appends nothing and returns the stored entry', async () => {
      const first = await log.append(auditEvent(1, { idempotencyKey: 'audit.retry:k-1' }));
      fixture.clock.advance(SECOND);
      await log.append(auditEvent(2));
      fixture.clock.advance(SECOND);
      // The same event again (a retry job run twice), then other content under that key: the key decides.
      await expect(log.append(auditEvent(1, { idempotencyKey: 'audit.retry:k-1' }))).resolves.toEqual(first);
      await expect(
        log.append(auditEvent(9, { idempotencyKey: 'audit.retry:k-1', action: 'request.succeeded' })),
      ).resolves.toEqual(first);
      // Equal content without a key, or under another key, is another event.
      await log.append(auditEvent(2));
      await log.append(auditEvent(1, { idempotencyKey: 'audit.retry:k-2' }));
      expect((await log.latest(10)).map((e) => [e.seq, e.detail, e.idempotencyKey])).toEqual([
        [1, 'event 1', 'audit.retry:k-1'],
        [2, 'event 2', undefined],
        [3, 'event 2', undefined],
        [4, 'event 1', 'audit.retry:k-2'],
      ]);
      await expect(log.verify()).resolves.toEqual({ intact: true, count: 4 });
    });

    test('appends racing under one key store it once, and every one of them gets that entry', async () => {
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          log.append(auditEvent(i + 1, i % 2 ? { idempotencyKey: 'one-event' } : { requestId: undefined })),
        ),
      );
      const underKey = results.filter((_, i) => i % 2);
      expect(new Set(underKey.map((e) => e.seq)).size).toBe(1);
      expect(underKey.every((e) => e.hash === underKey[0].hash && e.idempotencyKey === 'one-event')).toBe(true);
      const stored = await log.latest(100);
      expect(stored).toHaveLength(5);
      expect(stored.filter((e) => e.idempotencyKey === 'one-event')).toEqual([underKey[0]]);
      await expect(log.verify()).resolves.toEqual({ intact: true, count: 5 });
    });

    test('returned entries are copies: mutating one does not change the log', async () => {
      const first = await log.append(auditEvent(1));
      await log.append(auditEvent(2));
      await log.append(auditEvent(3));
      first.outcome = 'edited-by-caller';
      const [, middle] = await log.latest(3);
      middle.detail = 'edited-by-reader';
      (await log.forRequest('req-3'))[0].actor.objectId = 'edited';
      await expect(log.verify()).resolves.toEqual({ intact: true, count: 3 });
      expect((await log.latest(3)).map((e) => e.outcome)).toEqual(['pending', 'pending', 'pending']);
    });
  });
}
