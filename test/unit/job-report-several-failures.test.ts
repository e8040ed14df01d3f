/**
 * A failing job's report when several failures came at once (an AggregateError: each secret of
 * a request failing its cluster step, wrapped in what the revocation left; a run's two parts):
 * answered from the members, not "unexpected error". A mass end on one stopped cluster says it is
 * stopped and how to start it; throttling says 429.
 */
import { answerForApprovers, createScheduler } from '../../src/composition/scheduler';
import { loadConfig } from '../../src/config/config';
import { UserFacingError } from '../../src/domain/errors';
import { CloudApiError } from '../../src/domain/ports';
import type { AccessRequest } from '../../src/domain/request';
import type { LifecycleMessenger } from '../../src/flows/lifecycle-messenger';
import { leftBehind, secretLeft } from '../../src/flows/revocation-left';
import { memoryStores } from '../../src/integrations/store/open-stores';
import { createLogger } from '../../src/observability/logger';
import { FakeClock } from './support/fake-clock';
import { pendingRequest } from './support/requests';

const STOPPED =
  'Cluster aks-dev is stopped (its power state is Stopped), so its API server answers nothing until it is started: az aks start --subscription sub-dev -g rg-dev -n aks-dev.';
const stopped = () => new UserFacingError('cluster.stopped', STOPPED);
const throttled = () => new CloudApiError('TooManyRequests', 429, 'Too many requests for subscription s1', 'req-1');
const plan = {
  namespace: 'payments',
  secretName: 'acr-auth',
  cluster: { name: 'aks-dev', subscriptionId: 'sub-dev', resourceGroup: 'rg-dev' },
};
/** A secret revocation's failure as revokeSecrets throws it: what is left, several secrets' failures its cause. */
const secretsFailed = (...failures: unknown[]) =>
  leftBehind(new AggregateError(failures, 'several secrets'), secretLeft(plan as Parameters<typeof secretLeft>[0]));

describe('several failures at once, answered from their members', () => {
  test('every secret on a stopped cluster: the stopped-cluster sentence, with az aks start, once', () => {
    expect(answerForApprovers(secretsFailed(stopped(), stopped(), stopped()), 'access.expire:R-1')).toBe(STOPPED);
  });

  test("every call throttled: the status and code, once; an AggregateError's message is not read", () => {
    const err = new AggregateError([throttled(), throttled()], 'internal text: store at 10.0.0.4');
    expect(answerForApprovers(err, 'j')).toBe('429 TooManyRequests');
  });

  test('different answers are listed, and a member nothing is worded for is counted under the reference', () => {
    const err = secretsFailed(stopped(), throttled(), new Error('socket hang up at 10.0.0.4'), throttled());
    const answer = answerForApprovers(err, 'access.expire:R-1');
    expect(answer).toBe(
      `4 failures: ${STOPPED}; 429 TooManyRequests; 1 unexpected error (reference job-access.expire:R-1)`,
    );
    expect(answer).not.toContain('10.0.0.4');
  });

  test('past three different answers, the rest counted', () => {
    const err = new AggregateError([400, 409, 412, 423, 500].map((s) => new CloudApiError(`Code${s}`, s, 'm')));
    expect(answerForApprovers(err, 'j')).toBe('5 failures: 400 Code400; 409 Code409; 412 Code412; 2 other answers');
  });

  test("a group whose writer named one member its cause (a drift run's first problem) is answered by it", () => {
    const first = new CloudApiError('AuthorizationFailed', 403, 'm');
    const err = new AggregateError([first, throttled()], 'both', { cause: first });
    expect(answerForApprovers(err, 'j')).toBe('403 AuthorizationFailed');
    // A cause with no answer of its own: the members answer.
    const broken = new Error('a bug');
    expect(answerForApprovers(new AggregateError([broken, throttled()], 'both', { cause: broken }), 'j')).toBe(
      '2 failures: 429 TooManyRequests; 1 unexpected error (reference job-j)',
    );
  });

  test('no member with an answer: "unexpected error" with the reference', () => {
    expect(answerForApprovers(new AggregateError([new Error('a'), new Error('b')], 'a; b'), 'j')).toBe(
      'unexpected error (reference job-j)',
    );
  });
});

test("a failing revocation of several secrets on a stopped cluster: the approvers' report says it is stopped and how to start it", async () => {
  const clock = new FakeClock('2026-12-07T09:00:00.000Z');
  const stores = memoryStores(clock);
  const request = { ...pendingRequest(), plan: { kind: 'secret', ...plan } } as unknown as AccessRequest;
  await stores.requests.create(request);
  const reports: string[] = [];
  const messenger: LifecycleMessenger = {
    tellRequester: async () => undefined,
    reportToApprovers: async (_r: AccessRequest | undefined, text: string) => void reports.push(text),
  };
  const scheduler = createScheduler(
    loadConfig({ ACRBOT_MODE: 'sandbox', ACRBOT_STORAGE: 'memory' }),
    { stores, clock, log: createLogger({ level: 'silent' }), messenger },
    { sweepIntervalMs: 0, instanceId: 'test', jobReportAfterAttempts: 1 },
  );
  scheduler.register('access.expire', async () => {
    throw secretsFailed(stopped(), stopped());
  });
  await scheduler.schedule({
    id: `access.expire:${request.id}`,
    kind: 'access.expire',
    dueAt: clock.now(),
    requestId: request.id,
  });
  await scheduler.runDue();
  expect(reports).toHaveLength(1);
  expect(reports[0]).toContain(`(last answer: ${STOPPED})`);
  expect(reports[0]).not.toContain('unexpected error');
  // The advice too: started first, with the command.
  expect(reports[0]).toContain('Cluster aks-dev must be started first (az aks start --subscription sub-dev');
  await scheduler.stop();
});
