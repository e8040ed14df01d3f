/**
 * A refused credential clean-up is logged once, like its audit entry: a run that failed before
 * the refusal was recorded (the audit append, or the write of the refused outcome, failed) is
 * retried by its job, and that retry must not log the refusal a second time (docs/operations.md:
 * "logged and audited once"). Both refusals: a failed run's clean-up, and a rotation's retirement.
 */
import { type CleanupDeps, retryCleanupOf } from '../../src/flows/credential-cleanup';
import type { AccessRequest } from '../../src/domain/request';
import { retirementPendingSentence } from '../../src/domain/secret-ownership';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import { recordedToken, recordingTokenPorts } from './support/cleanup-fixtures';
import { FakeClock } from './support/fake-clock';
import { pendingRequest, secretPlan, SUB } from './support/requests';

const RECORDED_AT = '2025-01-15T09:00:00.000Z';
const CLEANUP_REFUSED = 'credential clean-up refused: reference unreadable or not recorded as created by this request';

/** A failed secret run whose pending clean-up names another request's token: refused (G15). */
function failedWithForeignRef(id: string): AccessRequest {
  const foreign = [
    {
      kind: 'token',
      subscriptionId: SUB,
      resourceGroup: 'rg-acr',
      registry: 'contosoacr',
      tokenName: 'acrbot-r-cccccccc',
    },
  ];
  return pendingRequest({
    id,
    state: 'failed',
    plan: secretPlan(),
    created: [recordedToken(id, RECORDED_AT)],
    outcome: {
      summary: 'Failed',
      azureRequestIds: [],
      error:
        'The credential acrbot had created could not be deleted yet; it is recorded for clean-up and will be retried.',
      cleanup: 'pending',
      credentialRef: JSON.stringify(foreign),
    },
  });
}

/** A rotation that replaced a request the store does not hold: its retirement is refused. */
function rotationOfUnknown(id: string): AccessRequest {
  return pendingRequest({
    id,
    state: 'succeeded',
    plan: secretPlan(),
    created: [recordedToken(id, RECORDED_AT)],
    outcome: {
      summary: `Secret payments/acr-auth replaced. ${retirementPendingSentence('R-CCCCCCCC')}`,
      azureRequestIds: [],
      retirement: { requestId: 'R-CCCCCCCC' },
    },
  });
}

function setup() {
  const clock = new FakeClock();
  const lines: Array<{ msg: string; requestId?: string }> = [];
  const store = new MemoryRequestStore();
  const audit = new MemoryAuditLog(clock);
  const deps: CleanupDeps = {
    store,
    audit,
    ports: { tokens: recordingTokenPorts([]) } as never,
    clock,
    log: createLogger({ level: 'info', destination: { write: (l: string) => void lines.push(JSON.parse(l)) } }),
    reschedule: async () => undefined,
  };
  /** The next append fails as a store outage would (after nothing was written). */
  const failNextAppend = () => {
    const append = audit.append.bind(audit);
    audit.append = async () => {
      audit.append = append;
      throw new Error('the audit store does not answer');
    };
  };
  /** The next request write fails (a lost race, an outage) after the audit entry was written. */
  const failNextUpdate = () => {
    const update = store.update.bind(store);
    store.update = async () => {
      store.update = update;
      throw new Error('the request store does not answer');
    };
  };
  /** The job: run until it ends without throwing, as the scheduler's retries would. */
  const runJob = async (id: string) => {
    await expect(retryCleanupOf(id, deps)).rejects.toThrow(/does not answer/);
    await retryCleanupOf(id, deps);
    await retryCleanupOf(id, deps);
  };
  const refusals = async (id: string) =>
    (await audit.forRequest(id)).filter((e) => e.action === 'credential.cleanup' && e.outcome === 'refused');
  return { store, lines, failNextAppend, failNextUpdate, runJob, refusals };
}

describe.each([
  ['the audit append', 'failNextAppend'],
  ['the write of the refused outcome', 'failNextUpdate'],
] as const)('a refusal whose first run failed at %s', (_what, fail) => {
  test('a failed run’s clean-up: logged once, audited once, recorded refused', async () => {
    const t = setup();
    await t.store.create(failedWithForeignRef('R-BBBBBBBB'));
    t[fail]();
    await t.runJob('R-BBBBBBBB');
    expect((await t.store.get('R-BBBBBBBB'))?.outcome?.cleanup).toBe('refused');
    expect(await t.refusals('R-BBBBBBBB')).toHaveLength(1);
    expect(t.lines.filter((l) => l.msg === CLEANUP_REFUSED)).toEqual([
      expect.objectContaining({ requestId: 'R-BBBBBBBB' }),
    ]);
  });

  test('a rotation’s retirement: logged once, audited once, recorded refused', async () => {
    const t = setup();
    await t.store.create(rotationOfUnknown('R-AAAAAAAA'));
    t[fail]();
    await t.runJob('R-AAAAAAAA');
    expect((await t.store.get('R-AAAAAAAA'))?.outcome?.cleanup).toBe('refused');
    expect(await t.refusals('R-AAAAAAAA')).toHaveLength(1);
    expect(t.lines.filter((l) => l.msg === 'retirement refused')).toEqual([
      expect.objectContaining({ requestId: 'R-AAAAAAAA', replacedRequestId: 'R-CCCCCCCC' }),
    ]);
  });
});
