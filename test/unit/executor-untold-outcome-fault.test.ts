/**
 * The untold-outcome pass runs from the resume sweep's timer without being awaited, so a
 * rejection escaping it would be unhandled, and acrbot exits on an unhandled rejection: a fault
 * in the pass's own code (its store failures it logs itself) is logged once and the sweep goes on.
 */
import { OutcomeNet } from '../../src/flows/outcome-told-net';
import { createLogger } from '../../src/observability/logger';
import { FakeClock } from './support/fake-clock';
import { memoryExecutor } from './support/memory-executor';

afterEach(() => jest.restoreAllMocks());

test('a pass that throws is logged, not left to reject, and the next pass runs', async () => {
  const clock = new FakeClock();
  const log = createLogger({ level: 'silent' });
  const executor = memoryExecutor(clock, { log });
  const pass = jest.spyOn(OutcomeNet.prototype, 'pass').mockRejectedValueOnce(new TypeError('a bug in the pass'));
  const error = jest.spyOn(log, 'error');

  await expect(executor.tellUntoldOutcomes()).resolves.toBeUndefined();
  expect(error).toHaveBeenCalledWith(
    { err: expect.objectContaining({ message: 'a bug in the pass' }) },
    'the untold-outcome pass failed unexpectedly; the next resume sweep tries again',
  );
  await executor.tellUntoldOutcomes();
  expect(pass).toHaveBeenCalledTimes(2);
});
