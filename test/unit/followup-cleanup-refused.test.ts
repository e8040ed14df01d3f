/**
 * G14/G15: a refused credential clean-up (a stored reference the request's records do not vouch
 * for) comes from stored records alone, so another run could only refuse it again. The refusal
 * is audited once and recorded in the outcome (`cleanup: 'refused'`): the start's sweep gives it
 * no job again, so no run re-refuses it on every start. Its card must not promise a retry that
 * never deletes anything: the stored outcome says an operator must act. Run over the memory
 * stores and SQLite (a file), whose outcomes go through JSON.
 */
import {
  CLEANUP_REFUSED_SENTENCE,
  type CleanupDeps,
  cleanupPending,
  retryCleanupOf,
  scheduleCleanupsForPending,
} from '../../src/flows/credential-cleanup';
import type { JobSpec } from '../../src/flows/scheduler';
import type { AuditLog, RequestStore } from '../../src/domain/ports';
import { retirementPendingSentence } from '../../src/domain/secret-ownership';
import type { AccessRequest } from '../../src/domain/request';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { SqliteAuditLog } from '../../src/integrations/store/sqlite-audit-log';
import { openSqlite } from '../../src/integrations/store/sqlite-database';
import { SqliteRequestStore } from '../../src/integrations/store/sqlite-request-store';
import { createLogger } from '../../src/observability/logger';
import { outcomeCard, requestCard } from '../../src/views/request-view';
import { cardText } from '../helpers/capturing-connector';
import { recordedToken, recordingTokenPorts } from './support/cleanup-fixtures';
import { FakeClock } from './support/fake-clock';
import { pendingRequest, secretPlan, SUB } from './support/requests';
import { useTempDir } from './support/temp-dir';

const RECORDED_AT = '2025-01-15T09:00:00.000Z';
const tokenOf = (id: string) => recordedToken(id, RECORDED_AT);
/** The runner's text for a credential it could not delete (secret-runner.ts). */
const RUNNER_ERROR =
  'The Kubernetes API refused to create secret payments/acr-auth (403). The credential acrbot had created could not be deleted yet; it is recorded for clean-up and will be retried.';
/** The error of a failed run once its clean-up was refused. */
const REFUSED_ERROR = `The Kubernetes API refused to create secret payments/acr-auth (403). ${CLEANUP_REFUSED_SENTENCE}`;
/** A stored reference naming another request's token: nothing in `id`'s records vouches for it. */
const FOREIGN_REF = JSON.stringify([
  {
    kind: 'token',
    subscriptionId: SUB,
    resourceGroup: 'rg-acr',
    registry: 'contosoacr',
    tokenName: 'acrbot-r-cccccccc',
  },
]);

/** A failed secret request `id` whose clean-up is pending with `credentialRef`. */
function failed(id: string, credentialRef: string, error = RUNNER_ERROR): AccessRequest {
  return pendingRequest({
    id,
    state: 'failed',
    plan: secretPlan(),
    created: [tokenOf(id)],
    outcome: { summary: 'Failed', azureRequestIds: [], error, cleanup: 'pending', credentialRef },
  });
}

interface Stores {
  store: RequestStore;
  audit: AuditLog;
  close(): void;
}

const tmp = useTempDir();
const storeKinds: Array<[string, (clock: FakeClock) => Stores]> = [
  [
    'memory',
    (clock) => ({ store: new MemoryRequestStore(), audit: new MemoryAuditLog(clock), close: () => undefined }),
  ],
  [
    'SQLite',
    (clock) => {
      const db = openSqlite(tmp.path('refused.db'));
      return {
        store: new SqliteRequestStore(db, false),
        audit: new SqliteAuditLog(db, clock),
        close: () => db.close(),
      };
    },
  ],
];

describe.each(storeKinds)('a refused credential clean-up (%s stores)', (_kind, open) => {
  const deletes: string[] = [];
  const ports = { tokens: recordingTokenPorts(deletes) } as never;
  let stores: Stores | undefined;
  beforeEach(() => deletes.splice(0));
  afterEach(() => {
    stores?.close();
    stores = undefined;
  });

  function setup() {
    const clock = new FakeClock();
    stores = open(clock);
    const { store, audit } = stores;
    const redrawn: AccessRequest[] = [];
    const deps: CleanupDeps = {
      store,
      audit,
      ports,
      clock,
      log: createLogger({ level: 'silent' }),
      reschedule: async () => undefined,
      outcomeChanged: async (request) => void redrawn.push(request),
    };
    const cleanupEntries = async (id: string) =>
      (await audit.forRequest(id)).filter((e) => e.action === 'credential.cleanup').map((e) => e.outcome);
    /**
     * A start: the sweep gives pending clean-ups without a job one, and each job runs once (and,
     * done, is gone: the next start's sweep sees no job). Returns the ids of the jobs scheduled.
     */
    const startAndRunJobs = async (): Promise<string[]> => {
      const jobs = new Map<string, JobSpec>();
      await scheduleCleanupsForPending(
        store,
        { get: async (id) => jobs.get(id) as never, schedule: async (job) => void jobs.set(job.id, job) },
        clock,
      );
      for (const job of jobs.values()) await retryCleanupOf(job.requestId!, deps);
      return [...jobs.values()].map((job) => job.requestId!);
    };
    return { store, audit, deps, redrawn, cleanupEntries, startAndRunJobs };
  }

  test('a failed run’s: recorded refused and audited once; later starts schedule nothing; its card says an operator must act', async () => {
    const { store, redrawn, cleanupEntries, startAndRunJobs } = setup();
    const id = 'R-BBBBBBBB';
    await store.create(failed(id, FOREIGN_REF));
    expect(await startAndRunJobs()).toEqual([id]);
    const after = (await store.get(id))!;
    expect(after.outcome?.cleanup).toBe('refused');
    expect(cleanupPending(after)).toBe(false);
    // What the operator must look for stays in the outcome.
    expect(after.outcome?.credentialRef).toBe(FOREIGN_REF);
    expect(after.outcome?.error).toBe(REFUSED_ERROR);
    expect(await cleanupEntries(id)).toEqual(['refused']);
    // Two more starts: no job, no audit entry, no write, no redraw.
    for (let start = 0; start < 2; start++) expect(await startAndRunJobs()).toEqual([]);
    expect(deletes).toEqual([]);
    expect(await cleanupEntries(id)).toEqual(['refused']);
    expect(await store.get(id)).toEqual(after);
    expect(redrawn).toEqual([after]);
    // Shown on every copy of its request card (the notice quotes the outcome's error).
    const card = cardText({ attachments: [{ content: requestCard(after, { showActions: false }) }] });
    expect(card).toContain('acrbot refused to delete the credential it had created');
    expect(card).toContain('An operator must find and delete it.');
    expect(card).not.toMatch(/will be retried|again shortly/);
    // The outcome card's Clean-up fact too: refused, not "recorded for clean-up" (a retry).
    const outcome = cardText({ attachments: [{ content: outcomeCard(after) }] });
    expect(outcome).toContain("refused: acrbot's records do not vouch for the credential; an operator must delete it");
    expect(outcome).not.toContain('recorded for clean-up');
  });

  test('a job already scheduled for it when the refusal was recorded ends without acting', async () => {
    const { store, deps, cleanupEntries } = setup();
    const id = 'R-BBBBBBBB';
    await store.create(failed(id, FOREIGN_REF));
    await retryCleanupOf(id, deps);
    const refused = (await store.get(id))!;
    await retryCleanupOf(id, deps);
    expect(await store.get(id)).toEqual(refused);
    expect(await cleanupEntries(id)).toEqual(['refused']);
  });

  test('a rotation’s replaced credential: recorded refused, mark kept, audited once; later starts schedule nothing', async () => {
    const { store, redrawn, cleanupEntries, startAndRunJobs } = setup();
    // R-AAAAAAAA says it replaced R-CCCCCCCC, which is not in the store: nothing vouches for it.
    await store.create(
      pendingRequest({
        id: 'R-AAAAAAAA',
        state: 'succeeded',
        plan: secretPlan(),
        created: [tokenOf('R-AAAAAAAA')],
        outcome: {
          summary: `Secret payments/acr-auth replaced. ${retirementPendingSentence('R-CCCCCCCC')}`,
          azureRequestIds: [],
          retirement: { requestId: 'R-CCCCCCCC' },
        },
      }),
    );
    expect(await startAndRunJobs()).toEqual(['R-AAAAAAAA']);
    const after = (await store.get('R-AAAAAAAA'))!;
    expect(after.outcome).toMatchObject({ cleanup: 'refused', retirement: { requestId: 'R-CCCCCCCC' } });
    expect(cleanupPending(after)).toBe(false);
    expect(after.outcome?.summary).toBe(
      "Secret payments/acr-auth replaced. acrbot refused to delete the credential of R-CCCCCCCC, which it replaced: that request's records do not vouch for it (audit log: credential.cleanup, refused). An operator must find and delete it.",
    );
    for (let start = 0; start < 2; start++) expect(await startAndRunJobs()).toEqual([]);
    expect(deletes).toEqual([]);
    expect(await cleanupEntries('R-AAAAAAAA')).toEqual(['refused']);
    expect(await store.get('R-AAAAAAAA')).toEqual(after);
    expect(redrawn).toEqual([after]);
  });

  test('one refused before the state existed (stored pending, already audited): the next start records it refused, no new entry', async () => {
    const { store, audit, cleanupEntries, startAndRunJobs } = setup();
    const id = 'R-BBBBBBBB';
    await store.create(failed(id, FOREIGN_REF));
    await startAndRunJobs();
    // What an older acrbot left: the refusal audited and said in the error, the outcome pending.
    const refused = (await store.get(id))!;
    await store.update({
      ...refused,
      version: refused.version + 1,
      outcome: { ...refused.outcome!, cleanup: 'pending' },
    });
    const entries = (await audit.forRequest(id)).length;
    expect(await startAndRunJobs()).toEqual([id]);
    const after = (await store.get(id))!;
    expect(after.outcome).toMatchObject({ cleanup: 'refused', error: REFUSED_ERROR });
    expect(await audit.forRequest(id)).toHaveLength(entries);
    expect(await startAndRunJobs()).toEqual([]);
    expect(await cleanupEntries(id)).toEqual(['refused']);
  });

  test('an audit append that fails: not recorded refused, so the job runs again and audits it then', async () => {
    const { store, audit, deps, cleanupEntries } = setup();
    const id = 'R-BBBBBBBB';
    await store.create(failed(id, FOREIGN_REF));
    const append = audit.append.bind(audit);
    audit.append = async () => {
      audit.append = append;
      throw new Error('audit store unavailable');
    };
    await expect(retryCleanupOf(id, deps)).rejects.toThrow('audit store unavailable');
    expect((await store.get(id))?.outcome?.cleanup).toBe('pending');
    await retryCleanupOf(id, deps);
    expect((await store.get(id))?.outcome?.cleanup).toBe('refused');
    expect(await cleanupEntries(id)).toEqual(['refused']);
  });

  test('a new reason is a new entry: the key is per request and reason', async () => {
    const { store, deps, cleanupEntries } = setup();
    const id = 'R-DDDDDDDD';
    await store.create(failed(id, '{not json'));
    await retryCleanupOf(id, deps);
    await retryCleanupOf(id, deps);
    // Written pending again with another reference (as an older version, or someone, could).
    const stored = (await store.get(id))!;
    await store.update({ ...failed(id, '[]'), version: stored.version + 1 });
    await retryCleanupOf(id, deps);
    await retryCleanupOf(id, deps);
    expect(await cleanupEntries(id)).toEqual(['refused', 'refused']);
    expect((await store.get(id))?.outcome?.cleanup).toBe('refused');
  });
});
