/**
 * `store:owed` against Azure Tables (Azurite), as operators run it before a switch: the pending
 * request and the owed review a bot's Tables store holds are listed (exit 1); a prefix holding
 * no acrbot tables is said so (exit 2), and nothing is created there. The SQLite side is in
 * store-scripts.test.ts.
 */
import { TableServiceClient } from '@azure/data-tables';
import type { ScheduledJob } from '../../src/domain/ports';
import { tablesStores } from '../../src/integrations/store/open-stores';
import { useAzurite } from '../helpers/azurite';
import { spawnScript } from '../helpers/policy-check-script';
import { FakeClock } from '../unit/support/fake-clock';
import { pendingRequest } from '../unit/support/requests';
import { mkdirSync } from 'node:fs';
import { useTempDir } from '../unit/support/temp-dir';

jest.setTimeout(60_000);

const world = useAzurite();
const tmp = useTempDir('acrbot-store-owed-tables-');

function job(overrides: Partial<ScheduledJob> & Pick<ScheduledJob, 'id' | 'kind'>): ScheduledJob {
  return { dueAt: '2030-01-01T00:00:00.000Z', attempts: 0, ...overrides };
}

/** `npm run store:owed` in an empty directory (no .env) with only the given settings. */
function owed(prefix: string, ...args: string[]) {
  const cwd = tmp.path('cwd');
  mkdirSync(cwd);
  return spawnScript(
    'store-owed.ts',
    cwd,
    { PATH: process.env.PATH, ACRBOT_TABLE_PREFIX: prefix },
    '--storage',
    `tables:${world.azurite.connectionString}`,
    ...args,
  );
}

test('a Tables store with a pending request and an owed review: both listed, exit 1', async () => {
  const prefix = world.azurite.freshPrefix();
  const stores = await tablesStores(world.conn(), new FakeClock(), prefix);
  try {
    await stores.requests.create(pendingRequest({ id: 'R-PEND1NG2' }));
    await stores.schedule.put(
      job({ id: 'breakglass.review:R-BGREV1EW', kind: 'breakglass.review', requestId: 'R-BGREV1EW' }),
    );
    await stores.schedule.put(job({ id: 'drift.check', kind: 'drift.check' }));
  } finally {
    await stores.close();
  }

  const r = await owed(prefix);

  expect(r.stderr).toBe('');
  expect(r.stdout).toContain(`prefix ${prefix}`);
  expect(r.stdout).toMatch(/pending: 1\n\s+R-PEND1NG2/);
  expect(r.stdout).toMatch(/breakglass\.review: 1 .*\n\s+R-BGREV1EW/);
  expect(r.stdout).not.toMatch(/drift\.check: 1/);
  expect(r.code).toBe(1);
});

test('a prefix with no acrbot tables: said so, exit 2, and no table created', async () => {
  const prefix = world.azurite.freshPrefix();

  const r = await owed(prefix);

  expect(r.stderr).toContain(`no tables ${prefix}requests/schedule at`);
  expect(r.code).toBe(2);
  // Read only: nothing was created under the prefix (the bot's own open would create its tables).
  const service = TableServiceClient.fromConnectionString(world.azurite.connectionString, {
    allowInsecureConnection: true,
  });
  const names: string[] = [];
  for await (const t of service.listTables()) names.push(t.name ?? '');
  expect(names.filter((n) => n.toLowerCase().startsWith(prefix.toLowerCase()))).toEqual([]);
});
