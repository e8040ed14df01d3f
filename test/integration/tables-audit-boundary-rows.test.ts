/**
 * G11 on Azure Tables, rows at the edges of the chain: one added at the very next seq past the
 * head (the seq the next append would take) is BROKEN, as one further on is (an entry there, or an
 * index row naming it); an index row added for another request naming the newest entry is BROKEN,
 * as one naming an older entry is. Found by mutation testing: checks that let a row at head + 1,
 * or a row naming the last entry, through passed every existing test, whose forged rows all lie
 * several seqs past the head or name entries before the newest.
 */
import { chainEntry } from '../../src/domain/audit-chain';
import { docProperties, openTablesAccount } from '../../src/integrations/store/tables-client';
import { TablesAuditLog } from '../../src/integrations/store/tables-audit-log';
import { useAzurite } from '../helpers/azurite';
import { FakeClock, SECOND } from '../unit/support/fake-clock';
import { auditEvent } from '../unit/support/requests';

jest.setTimeout(60_000);

const world = useAzurite();
const KEY = Buffer.alloc(32, 7);
const PK = 'audit';
const pad = (seq: number) => String(seq).padStart(12, '0');

async function twoEntries() {
  const prefix = world.azurite.freshPrefix();
  const clock = new FakeClock();
  const log = new TablesAuditLog(await openTablesAccount(world.conn(), prefix).table('audit'), clock, KEY);
  for (let i = 1; i <= 2; i++) {
    clock.advance(SECOND);
    await log.append(auditEvent(i));
  }
  const table = await openTablesAccount(world.conn(), prefix).table('audit');
  await expect(log.verify()).resolves.toEqual({ intact: true, count: 2 });
  return { clock, log, table };
}

test('an entry added at head + 1 without moving the head is BROKEN there', async () => {
  const { clock, log, table } = await twoEntries();
  const [head] = await log.latest(1);
  // A well-formed next entry (chained and signed even), written past the head the Table API way.
  const forged = chainEntry(auditEvent(3, { outcome: 'granted' }), head, clock.advance(SECOND), KEY);
  await table.createEntity({ partitionKey: PK, rowKey: `e|${pad(3)}`, ...docProperties(forged) });
  await expect(log.verify()).resolves.toEqual({
    intact: false,
    count: 2,
    brokenAtSeq: 3,
    problem: 'an entry exists past the chain head (acrbot writes an entry and its head together; this one was added)',
  });
});

test('an index row naming head + 1 is BROKEN there', async () => {
  const { log, table } = await twoEntries();
  await table.createEntity({ partitionKey: PK, rowKey: `q|req-1|${pad(3)}`, seq: 3 });
  await expect(log.verify()).resolves.toEqual({
    intact: false,
    count: 2,
    brokenAtSeq: 3,
    problem:
      'a request index row names an entry past the chain head (acrbot writes index rows with their entry and its head; this one was added)',
  });
});

test('a request index row added for another request, naming the newest entry, is BROKEN there', async () => {
  const { log, table } = await twoEntries();
  // Shows the newest entry (of req-2) under req-9 too, in `audit req-9` and its export.
  await table.createEntity({ partitionKey: PK, rowKey: `q|req-9|${pad(2)}`, seq: 2 });
  await expect(log.verify()).resolves.toMatchObject({
    intact: false,
    count: 2,
    brokenAtSeq: 2,
    problem: expect.stringMatching(/^a request index row names this entry but is not the row acrbot writes for it/),
  });
});
