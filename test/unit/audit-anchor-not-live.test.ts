/**
 * Verifying a log no bot writes to now (a backup, a log retired by a store switch) against its
 * anchors (`verifyWithAnchors` with `notLive`, `audit:verify --not-live`): stopped anchoring is
 * expected there and not checked; entries past the newest anchor are named as vouched for by
 * none; a log ending before the newest anchor is a prefix, never "intact" and never a tamper
 * alarm. Without the option a live log's verdicts stay (a cut tail BROKEN, stopped anchoring
 * NOT VERIFIED).
 */
import { formatVerdict } from '../../src/audit-cli/verify';
import { AnchorsUnavailableError, type AnchorLog, verifyWithAnchors } from '../../src/domain/audit-anchor';
import { publishAnchor } from '../../src/flows/audit-anchoring';
import { MemoryAuditLog } from '../../src/integrations/store/memory-stores';
import { FakeClock, HOUR } from './support/fake-clock';
import { auditEvent } from './support/requests';

const KEY = Buffer.alloc(32, 5);
const DAY = 24 * HOUR;

/** A log of `n` entries appended an hour apart, each anchored after it is written. */
async function anchoredLog(n: number) {
  const clock = new FakeClock('2026-01-01T00:00:00Z');
  const log = new MemoryAuditLog(clock, KEY);
  const lines: string[] = [];
  const anchors: AnchorLog = { append: async (l) => void lines.push(l), lines: async () => [...lines] };
  for (let i = 1; i <= n; i++) {
    clock.advance(HOUR);
    await log.append(auditEvent(i));
    await publishAnchor(log, anchors, KEY, clock);
  }
  return { clock, log, anchors, lines };
}

/** A copy of the first `n` entries of such a log, written the same way (a backup taken then). */
async function backupOf(n: number) {
  const clock = new FakeClock('2026-01-01T00:00:00Z');
  const log = new MemoryAuditLog(clock, KEY);
  for (let i = 1; i <= n; i++) {
    clock.advance(HOUR);
    await log.append(auditEvent(i));
  }
  return log;
}

const monthLater = (clock: FakeClock) => ({ intervalMs: DAY, now: new Date(clock.now().getTime() + 30 * DAY) });

describe('a retired log, checked a month after its bot stopped', () => {
  test('live: NOT VERIFIED (anchoring stopped); not live: intact, saying freshness was not checked', async () => {
    const { clock, log, anchors } = await anchoredLog(5);
    await expect(verifyWithAnchors(log, anchors, KEY, monthLater(clock))).rejects.toThrow(AnchorsUnavailableError);
    const verdict = await verifyWithAnchors(log, anchors, KEY, monthLater(clock), { notLive: true });
    expect(verdict).toMatchObject({ intact: true, count: 5, anchors: { agree: 5, upToSeq: 5, notLive: true } });
    expect(formatVerdict(verdict, true)).toBe(
      'intact, 5 entries; MACs checked on all 5 entries; 5 anchors agree, the newest at seq 5, published 2026-01-01T05:00:00.000Z; checked as a log no bot writes to now: whether anchoring went on was not checked, so entries written after the newest anchor and cut would not show',
    );
  });

  test('entries written after the newest anchor are named as vouched for by no anchor', async () => {
    const { clock, log, anchors } = await anchoredLog(3);
    for (let i = 4; i <= 5; i++) {
      clock.advance(HOUR);
      await log.append(auditEvent(i));
    }
    await expect(verifyWithAnchors(log, anchors, KEY, monthLater(clock))).rejects.toThrow(/anchoring has stopped/);
    const verdict = await verifyWithAnchors(log, anchors, KEY, monthLater(clock), { notLive: true });
    expect(formatVerdict(verdict, true)).toBe(
      'intact, 5 entries; MACs checked on all 5 entries; 3 anchors agree, the newest at seq 3, published 2026-01-01T03:00:00.000Z; the log ends at seq 5: entries after seq 3 are not vouched for by any anchor; checked as a log no bot writes to now: whether anchoring went on was not checked, so entries written after the newest anchor and cut would not show',
    );
  });
});

describe('a backup: a prefix of the anchored log', () => {
  test('live: BROKEN (entries deleted, the tamper signal); not live: a prefix, not intact', async () => {
    const { clock, anchors } = await anchoredLog(5);
    const backup = await backupOf(3);
    const live = await verifyWithAnchors(backup, anchors, KEY, { intervalMs: HOUR, now: clock.now() });
    expect(live).toMatchObject({
      intact: false,
      brokenAtSeq: 4,
      problem: expect.stringMatching(/entries were deleted/),
    });
    const verdict = await verifyWithAnchors(backup, anchors, KEY, monthLater(clock), { notLive: true });
    expect(verdict).toMatchObject({
      intact: true,
      count: 3,
      anchors: { agree: 3, upToSeq: 3, prefixOf: { seq: 5, at: '2026-01-01T05:00:00.000Z' } },
    });
    const line = formatVerdict(verdict, true);
    expect(line).toBe(
      'NOT THE WHOLE LOG: a prefix ending at seq 3 of a log anchored up to seq 5 (published 2026-01-01T05:00:00.000Z): a backup or a truncated copy; MACs checked on all 3 entries; 3 anchors agree, the newest at seq 3, published 2026-01-01T03:00:00.000Z; checked as a log no bot writes to now: whether anchoring went on was not checked, so entries written after the newest anchor and cut would not show',
    );
    expect(line).not.toMatch(/intact/);
  });

  test('a backup taken between anchors names the entries no anchor vouches for; one before the first anchor, that none does', async () => {
    const { clock, anchors, lines } = await anchoredLog(5);
    // Anchors at seq 2 and 5 only: a backup of 3 entries holds one past its newest anchor.
    lines.splice(0, lines.length, lines[1]!, lines[4]!);
    const verdict = await verifyWithAnchors(await backupOf(3), anchors, KEY, monthLater(clock), { notLive: true });
    expect(formatVerdict(verdict, true)).toMatch(
      /^NOT THE WHOLE LOG: a prefix ending at seq 3 of a log anchored up to seq 5 .*; 1 anchor agrees, the newest at seq 2, published 2026-01-01T02:00:00.000Z; the log ends at seq 3: entries after seq 2 are not vouched for by any anchor;/,
    );
    const early = await verifyWithAnchors(await backupOf(1), anchors, KEY, monthLater(clock), { notLive: true });
    expect(formatVerdict(early, true)).toMatch(
      /^NOT THE WHOLE LOG: a prefix ending at seq 1 of a log anchored up to seq 5 .*; no published anchor falls within the log; the log ends at seq 1: none of its entries is vouched for by an anchor;/,
    );
  });

  test('a copy whose entries differ from the anchors is still BROKEN, not a prefix', async () => {
    const { clock, anchors } = await anchoredLog(5);
    const other = new MemoryAuditLog(new FakeClock('2027-01-01T00:00:00Z'), KEY);
    for (let i = 1; i <= 3; i++) await other.append(auditEvent(i + 10));
    const verdict = await verifyWithAnchors(other, anchors, KEY, monthLater(clock), { notLive: true });
    expect(verdict).toMatchObject({
      intact: false,
      brokenAtSeq: 1,
      problem: expect.stringMatching(/differs from the anchor/),
    });
  });
});
