/**
 * Anchor lines are read from a place the bot's identity can append to: a line there may be
 * anything. Verify reports a line that is no anchor as acrbot writes one, naming the line,
 * instead of crashing on it or comparing a retyped field as if it were an anchored hash. The
 * signature is made of the fields as text, so a field retyped (`"seq":"2"`, `"hash":["…"]`)
 * keeps a valid signature: the shape is what tells such a line apart.
 */
import { type AnchorLog, anchorLine, checkAnchors, verifyWithAnchors } from '../../src/domain/audit-anchor';
import { SqliteAuditLog } from '../../src/integrations/store/sqlite-audit-log';
import { openSqlite, type SqliteDatabase } from '../../src/integrations/store/sqlite-database';
import { FakeClock, SECOND } from './support/fake-clock';
import { auditEvent } from './support/requests';

const KEY = Buffer.alloc(32, 4);

let db: SqliteDatabase;
afterEach(() => db?.close());

/** A SQLite log of 3 keyed entries and the signed anchor line of its head at seq 2. */
async function logWithAnchor() {
  db = openSqlite(':memory:');
  const clock = new FakeClock();
  const log = new SqliteAuditLog(db, clock, KEY);
  for (let i = 1; i <= 3; i++) {
    clock.advance(SECOND);
    await log.append(auditEvent(i));
  }
  const second = (await log.entryAt(2))!;
  const line = JSON.parse(anchorLine(second, clock.now(), KEY)) as Record<string, unknown>;
  const anchors = (lines: string[]): Pick<AnchorLog, 'lines'> => ({ lines: async () => lines });
  return { log, line, anchors };
}

describe('an anchor line that is no anchor is named, not a crash of verify', () => {
  test.each([
    ['null', 'null'],
    ['a number', '5'],
    ['an array', '[1,2]'],
    ['a string', '"seq 3"'],
  ])('%s', async (_name, text) => {
    const { log, line, anchors } = await logWithAnchor();
    await expect(verifyWithAnchors(log, anchors([JSON.stringify(line), text]), KEY)).resolves.toEqual({
      intact: false,
      count: 3,
      brokenAtSeq: 0,
      problem: 'anchor line 2 is not an anchor as acrbot writes one (not an object)',
    });
  });
});

describe('a signed line with a field retyped keeps its signature, and is refused by its shape', () => {
  type Line = Record<string, unknown>;
  test.each<[string, (line: Line) => Line, number, string]>([
    [
      'seq as an array (a lookup the store cannot bind)',
      (l) => ({ ...l, seq: [l.seq] }),
      0,
      'seq is not a whole number from 1',
    ],
    ['seq as a string', (l) => ({ ...l, seq: String(l.seq) }), 0, 'seq is not a whole number from 1'],
    [
      'hash as an array (a false "rewritten" before)',
      (l) => ({ ...l, hash: [l.hash] }),
      2,
      'hash is not 64 hex digits',
    ],
    ['v other than 1', (l) => ({ ...l, v: 2 }), 2, 'v is not 1'],
  ])('%s', async (_name, retype, brokenAtSeq, what) => {
    const { log, line, anchors } = await logWithAnchor();
    const retyped = retype(line);
    await expect(verifyWithAnchors(log, anchors([JSON.stringify(retyped)]), KEY)).resolves.toEqual({
      intact: false,
      count: 3,
      brokenAtSeq,
      problem: `anchor line 1 is not an anchor as acrbot writes one (${what})`,
    });
  });

  test('a signature followed by other characters is a bad signature (hex decoding stops there)', async () => {
    const { log, line } = await logWithAnchor();
    const chain = await log.verify();
    const lines = [JSON.stringify({ ...line, sig: `${line.sig as string}zz` })];
    await expect(checkAnchors(chain, lines, (seq) => log.entryAt(seq), KEY)).resolves.toEqual({
      intact: false,
      count: 3,
      brokenAtSeq: 2,
      problem: 'anchor line 1 has a bad signature (not written with the audit key)',
    });
  });

  test('the line as acrbot wrote it agrees', async () => {
    const { log, line, anchors } = await logWithAnchor();
    await expect(verifyWithAnchors(log, anchors([JSON.stringify(line)]), KEY)).resolves.toEqual({
      intact: true,
      count: 3,
      anchors: { agree: 1, upToSeq: 2, newestAt: line.at },
    });
  });
});
