/**
 * `TablesAuditLog.forRequest` reads a request's entries a few at a time (LIST_READS_AT_ONCE, as
 * the request store reads a listing): a trail of thousands of entries read all at once invited
 * throttling of the audit partition every other read and append of the instance shares.
 */
import type { AuditEntry } from '../../src/domain/audit-chain';
import { openTablesAccount } from '../../src/integrations/store/tables-client';
import { TablesAuditLog } from '../../src/integrations/store/tables-audit-log';
import { LIST_READS_AT_ONCE } from '../../src/integrations/store/tables-request-store';
import { useAzurite } from '../helpers/azurite';
import { FakeClock } from '../unit/support/fake-clock';
import { auditEvent } from '../unit/support/requests';

jest.setTimeout(120_000);

const world = useAzurite();

test('every entry of a long trail is read, never more than LIST_READS_AT_ONCE at a time', async () => {
  const table = await openTablesAccount(world.conn(), world.azurite.freshPrefix()).table('audit');
  const log = new TablesAuditLog(table, new FakeClock(), Buffer.alloc(32, 7));
  const n = LIST_READS_AT_ONCE * 3 + 5;
  const appends: Promise<AuditEntry>[] = [];
  for (let i = 0; i < n; i++) appends.push(log.append(auditEvent(i + 1, { requestId: 'R-AAAAAAAA' })));
  await log.append(auditEvent(n + 1, { requestId: 'R-BBBBBBBB' }));
  await Promise.all(appends);
  const read = log.entryAt.bind(log);
  let inFlight = 0;
  let most = 0;
  jest.spyOn(log, 'entryAt').mockImplementation(async (seq) => {
    most = Math.max(most, ++inFlight);
    try {
      return await read(seq);
    } finally {
      inFlight--;
    }
  });
  const entries = await log.forRequest('R-AAAAAAAA');
  expect(entries).toHaveLength(n);
  expect(entries.every((e) => e.requestId === 'R-AAAAAAAA')).toBe(true);
  expect(most).toBe(LIST_READS_AT_ONCE);
});
