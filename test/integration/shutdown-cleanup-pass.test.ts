/**
 * Stopping the app waits for the start's pass that gives pending credential clean-ups their
 * missing jobs (src/composition/background.ts), as it waits for the lost-end-jobs pass. The pass
 * runs in the background as it reads the ended and live requests; before, a stop during it
 * closed the store underneath it: the jobs it had yet to write were never written, and the log said
 * "scheduling missing credential clean-up jobs failed" about a store that was only being closed.
 * The real app over a SQLite file (its close is real), the pass held until the stop has begun.
 */
import { join } from 'node:path';
import type { AccessRequest } from '../../src/domain/request';
import { credentialCleanupJobId } from '../../src/flows/credential-cleanup';
import { sqliteStores } from '../../src/integrations/store/open-stores';
import { type Harness, startHarness } from '../helpers/harness';
import { TempDirs } from '../helpers/temp-dirs';
import { pendingRequest, secretPlan } from '../unit/support/requests';

/** Enough failed requests that the pass's writes (one loop turn each) outlast the rest of the stop. */
const FAILED = 30;
const ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXYZ';
const clock = { now: () => new Date('2026-11-30T10:00:00Z') };

/** A failed pull-secret request whose credential clean-up is pending, with no job for it. */
function failedWithCleanupPending(i: number): AccessRequest {
  return pendingRequest({
    id: `R-CLEAN${ALPHABET[Math.floor(i / ALPHABET.length)]}${ALPHABET[i % ALPHABET.length]}2`,
    state: 'failed',
    plan: secretPlan(),
    outcome: { summary: 'Failed', azureRequestIds: [], cleanup: 'pending', credentialRef: '[]' },
  });
}

describe('stop while the start is still scheduling missing credential clean-up jobs', () => {
  const tempDirs = new TempDirs();
  let h: Harness | undefined;
  afterEach(async () => {
    try {
      await h?.stop();
    } finally {
      h = undefined;
      tempDirs.removeAll();
    }
  });

  test('the stop ends only after every missing job is written, and no failure is logged', async () => {
    const path = join(tempDirs.make('acrbot-cleanup-pass-'), 'acrbot.db');
    const stores = sqliteStores(path, clock);
    const ids: string[] = [];
    for (let i = 0; i < FAILED; i++) {
      const request = failedWithCleanupPending(i);
      await stores.requests.create(request);
      ids.push(request.id);
    }
    // The pass's read of the failed requests waits until the stop has begun.
    let release!: () => void;
    const stopBegun = new Promise<void>((resolve) => (release = resolve));
    let passStarted!: () => void;
    const passRunning = new Promise<void>((resolve) => (passStarted = resolve));
    const listByState = stores.requests.listByState.bind(stores.requests);
    stores.requests.listByState = async (states, limit) => {
      if (states.length === 1 && states[0] === 'failed') {
        passStarted();
        await stopBegun;
      }
      return listByState(states, limit);
    };

    h = await startHarness({}, { stores, clock });
    await passRunning;
    const scheduler = h.app.scheduler;
    const stopScheduler = scheduler.stop.bind(scheduler);
    scheduler.stop = async () => {
      await stopScheduler();
      release();
    };
    await h.stop();

    const logged = h.logs.entries().map((e) => String(e.msg));
    expect(logged.filter((msg) => /clean-up jobs failed/.test(msg))).toEqual([]);
    expect(h.logs.entries().filter((e) => e.msg === 'scheduled missing credential clean-up jobs')).toEqual([
      expect.objectContaining({ level: 40, cleanups: FAILED }),
    ]);
    // Read back from the file the stop closed.
    const reopened = sqliteStores(path, clock);
    try {
      const jobs = await Promise.all(ids.map((id) => reopened.schedule.get(credentialCleanupJobId(id))));
      expect(jobs.filter((job) => job === undefined)).toHaveLength(0);
    } finally {
      await reopened.close();
    }
  });
});
