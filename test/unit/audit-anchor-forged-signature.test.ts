/**
 * An anchor line whose signature has the form acrbot writes (64 hex digits) but was not made with
 * the audit key is refused by verify, however well its fields agree with the store: anyone who can
 * append to the container could otherwise vouch for a rewritten log. Found by mutation testing: a
 * check that compared only the signature's length passed every test (their forged lines carry a
 * signature of another length).
 */
import { type AnchorLog, anchorLine, verifyWithAnchors } from '../../src/domain/audit-anchor';
import { SqliteAuditLog } from '../../src/integrations/store/sqlite-audit-log';
import { openSqlite, type SqliteDatabase } from '../../src/integrations/store/sqlite-database';
import { FakeClock, SECOND } from './support/fake-clock';
import { auditEvent } from './support/requests';

const KEY = Buffer.alloc(32, 4);
const NOT_THE_KEY = Buffer.alloc(32, 8);

let db: SqliteDatabase;
afterEach(() => db?.close());

test('a line signed with another key, naming the stored head exactly, is a bad signature; the same line signed with the key agrees', async () => {
  db = openSqlite(':memory:');
  const clock = new FakeClock();
  const log = new SqliteAuditLog(db, clock, KEY);
  for (let i = 1; i <= 3; i++) {
    clock.advance(SECOND);
    await log.append(auditEvent(i));
  }
  const head = (await log.entryAt(3))!;
  const anchors = (lines: string[]): Pick<AnchorLog, 'lines'> => ({ lines: async () => lines });

  const forged = anchorLine(head, clock.now(), NOT_THE_KEY);
  expect(JSON.parse(forged).sig).toMatch(/^[0-9a-f]{64}$/);
  await expect(verifyWithAnchors(log, anchors([forged]), KEY)).resolves.toEqual({
    intact: false,
    count: 3,
    brokenAtSeq: 3,
    problem: 'anchor line 1 has a bad signature (not written with the audit key)',
  });
  // A signature of the right form but of other fields (the seq changed after signing) likewise.
  const moved = JSON.stringify({ ...JSON.parse(anchorLine(head, clock.now(), KEY)), seq: 2 });
  await expect(verifyWithAnchors(log, anchors([moved]), KEY)).resolves.toMatchObject({
    intact: false,
    brokenAtSeq: 2,
    problem: 'anchor line 1 has a bad signature (not written with the audit key)',
  });

  await expect(verifyWithAnchors(log, anchors([anchorLine(head, clock.now(), KEY)]), KEY)).resolves.toMatchObject({
    intact: true,
    count: 3,
    anchors: { agree: 1, upToSeq: 3 },
  });
});
