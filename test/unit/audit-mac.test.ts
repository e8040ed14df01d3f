/**
 * G11, keyed: entries carry an HMAC of their hash under ACRBOT_AUDIT_KEY, which is not in the
 * store. Someone who can write the store but not read the key can rewrite an entry and
 * recompute every hash after it; the MACs then give it away. Entries written before the key
 * existed stay verifiable through the hash chain.
 */
import { type AuditEntry, chainEntry, hashEntry, macOf, verifyChain } from '../../src/domain/audit-chain';
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

  test('a MAC made with another key is refused', () => {
    expect(verifyChain(chain(2, OTHER_KEY), undefined, KEY)).toMatchObject({ intact: false, brokenAtSeq: 1 });
  });

  test('an entry without a MAC after keyed entries (a forged append) is refused; an unkeyed prefix from before the key is accepted', () => {
    const old = chain(2, undefined);
    const keyed = chain(2, KEY, old);
    expect(verifyChain(keyed, undefined, KEY)).toEqual({ intact: true, count: 4 });
    const appended = chain(1, undefined, keyed);
    expect(verifyChain(appended, undefined, KEY)).toMatchObject({
      intact: false,
      brokenAtSeq: 5,
      problem: 'the entry has no MAC although earlier entries have one (it was written without the audit key)',
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
