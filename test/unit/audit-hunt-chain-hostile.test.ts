/**
 * G11 against hostile stored data: whoever can write the store can put anything into an entry.
 * Verify names the entry and what is wrong with it (never a crash, never `seq undefined`), and
 * an entry hashes as its stored JSON, so the memory store (which keeps objects) and SQLite
 * (which keeps their JSON) judge one entry alike.
 */
import Database from 'better-sqlite3';
import { formatVerdict } from '../../src/audit-cli/verify';
import { type AuditEntry, type AuditEvent, canonicalJson, chainEntry, verifyChain } from '../../src/domain/audit-chain';
import { MemoryAuditLog } from '../../src/integrations/store/memory-stores';
import { SqliteAuditLog } from '../../src/integrations/store/sqlite-audit-log';
import { openSqlite } from '../../src/integrations/store/sqlite-database';
import { FakeClock, SECOND } from './support/fake-clock';
import { auditEvent } from './support/requests';
import { useTempDir } from './support/temp-dir';

const tmp = useTempDir('acrbot-audit-hunt-');
const KEY = Buffer.alloc(32, 3);

/** `n` keyed entries as a store returns them: through JSON. */
function storedChain(n: number): AuditEntry[] {
  const clock = new FakeClock();
  const out: AuditEntry[] = [];
  for (let i = 1; i <= n; i++) out.push(chainEntry(auditEvent(i), out[i - 2], clock.advance(SECOND), KEY));
  return JSON.parse(JSON.stringify(out)) as AuditEntry[];
}

/** An array nested `depth` deep, built as JSON.parse builds it from a stored text. */
const nested = (depth: number): unknown => JSON.parse(`${'['.repeat(depth)}1${']'.repeat(depth)}`);

describe('a stored seq that is no seq is named at its place, as stored', () => {
  test.each<[string, unknown, string]>([
    ['a string', '2', 'has the seq "2" (a string)'],
    ['a huge number', 1e21, 'has the seq 1e+21'],
    ['a fraction', 2.5, 'has the seq 2.5'],
    ['zero', 0, 'has the seq 0'],
    ['a negative number', -2, 'has the seq -2'],
    ['null', null, 'has a seq that is null'],
    ['an array', [2], 'has a seq that is an array'],
    ['an object', { n: 2 }, 'has a seq that is an object'],
    ['missing', undefined, 'has no seq'],
  ])('%s', (_name, seq, shown) => {
    const entries = storedChain(3);
    const second = { ...entries[1], seq } as unknown as AuditEntry;
    if (seq === undefined) delete (second as Partial<AuditEntry>).seq;
    const verdict = verifyChain([entries[0], second, entries[2]], undefined, KEY);
    expect(verdict).toEqual({
      intact: false,
      count: 2,
      brokenAtSeq: 2,
      problem: `the entry in the place of seq 2 ${shown}, not a whole number from 1 as acrbot writes (it was modified)`,
    });
    expect(formatVerdict(verdict, true)).toMatch(/^BROKEN at seq 2: the entry in the place of seq 2 /);
  });

  test('a seq that is a whole number keeps naming the seq found (an entry deleted, inserted or reordered)', () => {
    const entries = storedChain(4);
    expect(verifyChain([entries[0], entries[2], entries[3]], undefined, KEY)).toMatchObject({
      brokenAtSeq: 3,
      problem: 'expected seq 2, found 3 (an entry was deleted, inserted or reordered)',
    });
  });
});

describe('an entry whose values cannot be hashed is reported, not a crash of verify', () => {
  test('a value nested 200,000 deep, handed to the chain check', () => {
    const entries = storedChain(3);
    const deep = { ...entries[1], targetIds: nested(200_000) } as unknown as AuditEntry;
    expect(verifyChain([entries[0], deep, entries[2]], undefined, KEY)).toEqual({
      intact: false,
      count: 2,
      brokenAtSeq: 2,
      problem: expect.stringMatching(
        /^the entry cannot be hashed \(.+\): it holds values acrbot never writes \(it was modified\)$/,
      ) as string,
    });
  });

  test('the same, written into a SQLite file (triggers dropped): the store verifies it as BROKEN at that seq', async () => {
    const path = tmp.path('deep.db');
    const db = openSqlite(path);
    const clock = new FakeClock();
    const log = new SqliteAuditLog(db, clock, KEY);
    for (let i = 1; i <= 3; i++) {
      clock.advance(SECOND);
      await log.append(auditEvent(i));
    }
    const attacker = new Database(path);
    try {
      attacker.exec('DROP TRIGGER audit_no_update');
      const text = (attacker.prepare('SELECT entry FROM audit WHERE seq = 2').get() as { entry: string }).entry;
      const deep = text.replace(/"targetIds":\[/, `"targetIds":[${'['.repeat(200_000)}1${']'.repeat(200_000)},`);
      attacker.prepare('UPDATE audit SET entry = ? WHERE seq = 2').run(deep);
      await expect(log.verify()).resolves.toMatchObject({
        intact: false,
        brokenAtSeq: 2,
        problem: expect.stringMatching(/^the entry cannot be hashed/) as string,
      });
    } finally {
      attacker.close();
      db.close();
    }
  });
});

describe('canonical JSON: an entry hashes as its stored JSON, in every store', () => {
  /** Values the types do not allow but a caller can pass at run time, each as JSON stores it. */
  const odd: [string, Partial<AuditEvent>][] = [
    ['a Date among the correlation ids', { correlationIds: [new Date(0) as unknown as string] }],
    ['a boxed string as the outcome', { outcome: new String('granted') as unknown as string }],
  ];
  /** As above, but the memory store cannot keep them at all (structuredClone refuses them). */
  const unclonable: [string, Partial<AuditEvent>][] = [
    ['a function as the actor name', { actor: { objectId: 'o-1', name: (() => 'x') as unknown as string } }],
    ['a symbol among the targets', { targetIds: [Symbol('t') as unknown as string] }],
  ];

  async function sqliteLog(clock: FakeClock, run: (log: SqliteAuditLog) => Promise<void>) {
    const db = openSqlite(':memory:');
    try {
      await run(new SqliteAuditLog(db, clock, KEY));
    } finally {
      db.close();
    }
  }

  test.each(odd)('%s: the memory store and SQLite both verify it intact, with one hash', async (_name, fields) => {
    const clock = new FakeClock();
    const memory = new MemoryAuditLog(clock, KEY);
    await sqliteLog(clock, async (sqlite) => {
      for (let i = 1; i <= 2; i++) {
        clock.advance(SECOND);
        await memory.append(auditEvent(i, fields));
        await sqlite.append(auditEvent(i, fields));
      }
      await expect(memory.verify()).resolves.toEqual({ intact: true, count: 2 });
      await expect(sqlite.verify()).resolves.toEqual({ intact: true, count: 2 });
      expect((await sqlite.latest(2)).map((e) => e.hash)).toEqual((await memory.latest(2)).map((e) => e.hash));
    });
  });

  test.each(unclonable)('%s: SQLite verifies the entry it stored intact', async (_name, fields) => {
    const clock = new FakeClock();
    await sqliteLog(clock, async (sqlite) => {
      for (let i = 1; i <= 2; i++) {
        clock.advance(SECOND);
        await sqlite.append(auditEvent(i, fields));
      }
      await expect(sqlite.verify()).resolves.toEqual({ intact: true, count: 2 });
    });
  });

  test.each<[string, unknown]>([
    ['-0', { n: -0 }],
    ['1e21 and 1e-7', [1e21, 1e-7, 123456789012345680000]],
    ['NaN and Infinity', [NaN, Infinity]],
    ['keys with quotes, escapes and a __proto__ key', JSON.parse('{"a\\"b":1,"__proto__":2,"\\u2028":3,"":4}')],
    ['nested toJSON', { at: new Date(0), list: [new Date(1)] }],
  ])('%s: the same text before and after a JSON round trip', (_name, value) => {
    expect(canonicalJson(value)).toBe(canonicalJson(JSON.parse(JSON.stringify(value))));
  });

  test('text is hashed as written: no unicode normalisation makes two spellings one', () => {
    expect(canonicalJson({ d: 'e\u0301' })).not.toBe(canonicalJson({ d: '\u00e9' }));
  });

  test('null and an absent field are not the same entry', () => {
    expect(canonicalJson({ a: 1, requestId: null })).not.toBe(canonicalJson({ a: 1 }));
    expect(canonicalJson({ a: 1, requestId: undefined })).toBe(canonicalJson({ a: 1 }));
  });
});
