/**
 * G14/G15: a refused credential clean-up (a stored reference the request's records do not vouch
 * for) comes from stored records alone, so every later run refuses it again: each start's sweep
 * gives the request a job, and each job run must not add another `credential.cleanup refused`
 * entry. Its card must not promise a retry that never deletes anything: the stored outcome says
 * the clean-up was refused and an operator must act.
 */
import {
  CLEANUP_REFUSED_SENTENCE,
  type CleanupDeps,
  cleanupPending,
  retryCleanupOf,
  scheduleCleanupsForPending,
} from '../../src/flows/credential-cleanup';
import type { JobSpec } from '../../src/flows/scheduler';
import { retirementPendingSentence } from '../../src/domain/secret-ownership';
import type { AccessRequest } from '../../src/domain/request';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import { requestCard } from '../../src/views/request-view';
import { cardText } from '../helpers/capturing-connector';
import { recordedToken, recordingTokenPorts } from './support/cleanup-fixtures';
import { FakeClock } from './support/fake-clock';
import { pendingRequest, secretPlan, SUB } from './support/requests';

const RECORDED_AT = '2025-01-15T09:00:00.000Z';
const tokenOf = (id: string) => recordedToken(id, RECORDED_AT);
/** The runner's text for a credential it could not delete (secret-runner.ts). */
const RUNNER_ERROR =
  'The Kubernetes API refused to create secret payments/acr-auth (403). The credential acrbot had created could not be deleted yet; it is recorded for clean-up and will be retried.';

/** A start: the sweep gives pending clean-ups without a job one, and each job runs once. */
async function startAndRunJobs(store: MemoryRequestStore, deps: CleanupDeps): Promise<number> {
  const jobs = new Map<string, JobSpec>();
  const scheduled = await scheduleCleanupsForPending(
    store,
    { get: async (id) => jobs.get(id) as never, schedule: async (job) => void jobs.set(job.id, job) },
    deps.clock,
  );
  for (const job of jobs.values()) await retryCleanupOf(job.requestId!, deps);
  return scheduled;
}

describe('a refused credential clean-up', () => {
  const deletes: string[] = [];
  const ports = {
    tokens: recordingTokenPorts(deletes),
  } as never;
  beforeEach(() => deletes.splice(0));

  function setup() {
    const store = new MemoryRequestStore();
    const clock = new FakeClock();
    const audit = new MemoryAuditLog(clock);
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
    const refusals = async (id: string) =>
      (await audit.forRequest(id)).filter((e) => e.action === 'credential.cleanup').map((e) => e.outcome);
    return { store, audit, deps, redrawn, refusals };
  }

  test('a failed run’s: audited once over three starts, and its card says it was refused, not retried', async () => {
    const { store, deps, redrawn, refusals } = setup();
    const id = 'R-BBBBBBBB';
    // Its stored reference names another request's token.
    await store.create(
      pendingRequest({
        id,
        state: 'failed',
        plan: secretPlan(),
        created: [tokenOf(id)],
        outcome: {
          summary: 'Failed',
          azureRequestIds: [],
          error: RUNNER_ERROR,
          cleanup: 'pending',
          credentialRef: JSON.stringify([
            {
              kind: 'token',
              subscriptionId: SUB,
              resourceGroup: 'rg-acr',
              registry: 'contosoacr',
              tokenName: 'acrbot-r-cccccccc',
            },
          ]),
        },
      }),
    );
    for (let start = 0; start < 3; start++) expect(await startAndRunJobs(store, deps)).toBe(1);
    expect(deletes).toEqual([]);
    expect(await refusals(id)).toEqual(['refused']);
    const after = (await store.get(id))!;
    // Still pending: the credential may exist, and is for an operator to delete.
    expect(cleanupPending(after)).toBe(true);
    expect(after.outcome?.error).toBe(
      `The Kubernetes API refused to create secret payments/acr-auth (403). ${CLEANUP_REFUSED_SENTENCE}`,
    );
    // Redrawn once, when the outcome changed; later refusals change nothing.
    expect(redrawn).toEqual([after]);
    // Shown on every copy of its request card (the notice quotes the outcome's error).
    const card = cardText({ attachments: [{ content: requestCard(after, { showActions: false }) }] });
    expect(card).toContain('acrbot refused to delete the credential it had created');
    expect(card).toContain('An operator must find and delete it.');
    expect(card).not.toMatch(/will be retried|again shortly/);
  });

  test('a rotation’s replaced credential: audited once over three starts, and the summary stops promising it', async () => {
    const { store, deps, redrawn, refusals } = setup();
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
    for (let start = 0; start < 3; start++) expect(await startAndRunJobs(store, deps)).toBe(1);
    expect(deletes).toEqual([]);
    expect(await refusals('R-AAAAAAAA')).toEqual(['refused']);
    const after = (await store.get('R-AAAAAAAA'))!;
    expect(cleanupPending(after)).toBe(true);
    expect(after.outcome?.summary).toBe(
      "Secret payments/acr-auth replaced. acrbot refused to delete the credential of R-CCCCCCCC, which it replaced: that request's records do not vouch for it (audit log: credential.cleanup, refused). An operator must find and delete it.",
    );
    expect(redrawn).toEqual([after]);
  });

  test('a new reason is a new entry: the key is per request and reason', async () => {
    const { store, deps, refusals } = setup();
    const id = 'R-DDDDDDDD';
    const failed = (credentialRef: string) =>
      pendingRequest({
        id,
        state: 'failed',
        plan: secretPlan(),
        created: [tokenOf(id)],
        outcome: { summary: 'Failed', azureRequestIds: [], error: RUNNER_ERROR, cleanup: 'pending', credentialRef },
      });
    await store.create(failed('{not json'));
    await retryCleanupOf(id, deps);
    await retryCleanupOf(id, deps);
    const stored = (await store.get(id))!;
    await store.update({ ...failed('[]'), version: stored.version + 1 });
    await retryCleanupOf(id, deps);
    await retryCleanupOf(id, deps);
    expect(await refusals(id)).toEqual(['refused', 'refused']);
  });
});
