/**
 * G11, keyed: entries carry an HMAC of their hash under ACRBOT_AUDIT_KEY, which is not in the
 * store. Someone who can write the store but not read the key can rewrite an entry and
 * recompute every hash after it; the MACs then give it away. Entries written before the key
 * existed stay verifiable through the hash chain, but only as a prefix: with the key, a log whose
 * newest entry has no MAC (every MAC left out by a rewrite from seq 1) is broken.
 */
import {
  type AuditEntry,
  chainEntry,
  hashEntry,
  KEY_ADOPTION_ACTION,
  macOf,
  verifyChain,
} from '../../src/domain/audit-chain';
import { MemoryAuditLog } from '../../src/integrations/store/memory-stores';
import { SqliteAuditLog } from '../../src/integrations/store/sqlite-audit-log';
import { openSqlite } from '../../src/integrations/store/sqlite-database';
import { FakeClock, SECOND } from './support/fake-clock';
import { auditEvent } from './support/requests';

const KEY = Buffer.alloc(32, 7);
const OTHER_KEY = Buffer.alloc(32, 9);

function chain(n: number, key: Buffer | undefined, from: AuditEntry[] = []): AuditEntry[] {
  const out = [...from];
  const clock = new FakeClock();
  for (let i = 0; i < n; i++) {
    clock.advance(SECOND);
    out.push(chainEntry(auditEvent(out.length + 1), out[out.length - 1], clock.now(), key));
  }
  return out;
}

/** What an attacker with store access but no key does: edit an entry and re-hash the rest of the chain. */
function rewriteFrom(entries: AuditEntry[], seq: number, change: Partial<AuditEntry>): AuditEntry[] {
  const out = entries.map((e) => ({ ...e }));
  for (let i = seq - 1; i < out.length; i++) {
    const { hash: _h, mac, ...rest } = { ...out[i], ...(i === seq - 1 ? change : {}) };
    const body = { ...rest, prevHash: i === 0 ? out[0].prevHash : out[i - 1].hash };
    out[i] = { ...body, hash: hashEntry(body), ...(mac ? { mac } : {}) };
  }
  return out;
}

describe('keyed audit chain', () => {
  test('entries written with the key carry a MAC of their hash and verify with the key', () => {
    const entries = chain(3, KEY);
    expect(entries.every((e) => e.mac === macOf(KEY, e.hash))).toBe(true);
    expect(verifyChain(entries, undefined, KEY)).toEqual({ intact: true, count: 3 });
  });

  test('a rewritten entry with a recomputed hash chain passes the hash check but fails the MAC check at that entry', () => {
    const forged = rewriteFrom(chain(4, KEY), 2, { outcome: 'granted' });
    expect(verifyChain(forged)).toEqual({ intact: true, count: 4 }); // hashes alone are fooled
    expect(verifyChain(forged, undefined, KEY)).toEqual({
      intact: false,
      count: 2,
      brokenAtSeq: 2,
      problem: 'the MAC does not match (the entry or the chain was rewritten without the audit key)',
    });
  });

  test('tampering that leaves no entry, or a MAC that is not one, is BROKEN, not a crash of the check', () => {
    const entries = chain(3, KEY);
    const asStored = (e: unknown) => e as AuditEntry;
    expect(verifyChain([entries[0], asStored(null), entries[2]], undefined, KEY)).toMatchObject({
      intact: false,
      brokenAtSeq: 2,
      problem: 'the stored entry is not an audit entry (it was modified)',
    });
    expect(verifyChain([entries[0], asStored({ ...entries[1], mac: 123 }), entries[2]], undefined, KEY)).toMatchObject({
      intact: false,
      brokenAtSeq: 2,
    });
    // Anything after the 64 hex digits of a valid MAC makes it a different MAC.
    expect(
      verifyChain([entries[0], { ...entries[1], mac: `${entries[1].mac!}zz` }, entries[2]], undefined, KEY),
    ).toMatchObject({ intact: false, brokenAtSeq: 2 });
  });

  test('a MAC made with another key is refused', () => {
    // No MAC matched before it: the verdict names the wrong key as a cause, not only a rewrite.
    expect(verifyChain(chain(2, OTHER_KEY), undefined, KEY)).toMatchObject({
      intact: false,
      brokenAtSeq: 1,
      problem: expect.stringContaining('or this is not the key the log was written with: check ACRBOT_AUDIT_KEY'),
    });
  });

  /** `n` signed entries after `from`, the first of them the operator's adoption of what came before. */
  function adopted(n: number, from: AuditEntry[]): AuditEntry[] {
    const clock = new FakeClock();
    clock.advance(SECOND);
    const out = [
      ...from,
      chainEntry(auditEvent(from.length + 1, { action: KEY_ADOPTION_ACTION }), from.at(-1), clock.now(), KEY),
    ];
    return chain(n - 1, KEY, out);
  }

  test('an entry without a MAC after keyed entries (a forged append) is refused; an unkeyed prefix the operator adopted is accepted', () => {
    const old = chain(2, undefined);
    const keyed = adopted(2, old);
    // The verdict says MACs were checked from seq 3 on (2 leading entries predate the key).
    expect(verifyChain(keyed, undefined, KEY)).toEqual({ intact: true, count: 4, unkeyedPrefix: 2 });
    const appended = chain(1, undefined, keyed);
    expect(verifyChain(appended, undefined, KEY)).toMatchObject({
      intact: false,
      brokenAtSeq: 5,
      problem: 'the entry has no MAC although earlier entries have one (it was written without the audit key)',
    });
  });

  test('a log rewritten without MACs while the bot runs, then appended to by the bot with the key, is broken: only the adoption entry vouches for unsigned entries', () => {
    const original = adopted(3, chain(1, undefined));
    // The attacker strips every MAC and rewrites seq 2 on (hashes recomputed), then the bot signs its next append on top.
    const stripped = rewriteFrom(
      original.map(({ mac: _mac, ...e }) => e as AuditEntry),
      2,
      { actor: { objectId: 'mallory', name: 'Mallory' } },
    );
    const clock = new FakeClock();
    clock.advance(SECOND);
    const appended = [...stripped, chainEntry(auditEvent(5), stripped.at(-1), clock.now(), KEY)];
    expect(verifyChain(appended, undefined, KEY)).toMatchObject({
      intact: false,
      brokenAtSeq: 5,
      problem: expect.stringMatching(
        /^the first signed entry follows 4 unsigned ones without the operator's audit.key.enabled entry/,
      ),
    });
    // The honest log verifies, with its adopted prefix.
    expect(verifyChain(original, undefined, KEY)).toEqual({ intact: true, count: 4, unkeyedPrefix: 1 });
  });

  test('a log rewritten from seq 1 without any MAC (hashes and head recomputed) is broken with the key, not one long unkeyed prefix', () => {
    const original = chain(3, KEY);
    // The attacker has no key: re-chains every entry from seq 1 and leaves `mac` out.
    const clock = new FakeClock();
    const forged: AuditEntry[] = [];
    for (const e of original) {
      clock.advance(SECOND);
      forged.push(chainEntry({ ...e, actor: { objectId: 'mallory', name: 'Mallory' } }, forged.at(-1), clock.now()));
    }
    const head = { seq: 3, hash: forged[2].hash };
    expect(verifyChain(forged, head)).toEqual({ intact: true, count: 3 }); // hashes alone are fooled
    expect(verifyChain(forged, head, KEY)).toEqual({
      intact: false,
      count: 3,
      brokenAtSeq: 1,
      noMacs: true,
      problem:
        'none of the 3 entries carries a MAC although the audit key is set (a bot with the key signs every append): the log was rewritten without the key, or written by a bot that did not have it',
    });
    // An unkeyed prefix whose keyed tail was cut off is the same case: nothing vouches for it.
    expect(verifyChain(chain(2, undefined), undefined, KEY)).toMatchObject({ intact: false, noMacs: true });
    // One entry, said as one.
    expect(verifyChain(chain(1, undefined), undefined, KEY)).toEqual({
      intact: false,
      count: 1,
      brokenAtSeq: 1,
      noMacs: true,
      problem:
        'its 1 entry carries no MAC although the audit key is set (a bot with the key signs every append): the log was rewritten without the key, or written by a bot that did not have it',
    });
    // An empty log has nothing to vouch for.
    expect(verifyChain([], undefined, KEY)).toEqual({ intact: true, count: 0 });
  });

  test('a prefix read up to an unreadable row (wholeLog: false) is not required to end with a MAC', () => {
    const old = chain(2, undefined);
    expect(verifyChain(old, undefined, KEY, { wholeLog: false })).toEqual({
      intact: true,
      count: 2,
      unkeyedPrefix: 2,
    });
  });

  test.each([
    ['memory', () => new MemoryAuditLog(new FakeClock(), KEY)],
    ['SQLite', () => new SqliteAuditLog(openSqlite(':memory:'), new FakeClock(), KEY)],
  ])('%s audit log writes MACs and its verify() checks them', async (_name, make) => {
    const log = make();
    const entry = await log.append(auditEvent(1));
    expect(entry.mac).toBe(macOf(KEY, entry.hash));
    await expect(log.verify()).resolves.toEqual({ intact: true, count: 1 });
  });
});
