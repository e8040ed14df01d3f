/**
 * The reminder before access ends (`access.remind`) checks the job's lease before it tells the
 * requester, as the approval nudges do: a run that stalled past its lease, while another instance
 * took the job over, posts nothing and records nothing; the job stays for the holder. Before, it
 * told the requester all the same, and the new holder told them again.
 */
import { LeaseLostError } from '../../src/domain/ports';
import type { JobHandler } from '../../src/flows/scheduler';
import { cardText } from '../helpers/capturing-connector';
import { users } from '../helpers/harness';
import { useLifecycleHooks, h, advance, start, MINUTE, grant, actions, jobOf } from '../helpers/lifecycle';

describe('access.remind under a lost lease', () => {
  useLifecycleHooks();

  test('a run whose lease was taken over does not remind; the job stays', async () => {
    await start({ ACRBOT_EXPIRY_REMINDERS: '2m' });
    const request = await grant(users.requester, 'aks-prod contosoacr --for 5m deploy payments-api');
    const jobId = `access.remind:${request.id}:120000`;
    expect(await jobOf(jobId)).toBeDefined();
    // The registered handler, run by a wrapper that stalls past the lease first.
    const scheduler = h.app.scheduler as unknown as { handlers: Map<string, JobHandler> };
    const remind = scheduler.handlers.get('access.remind')!;
    let failure: unknown;
    h.app.scheduler.register('access.remind', async (job, run) => {
      advance(h.app.config.leaseTtlMs + 1);
      expect(await h.app.stores.leases.acquire(`job:${job.id}`, 'another-instance', MINUTE)).toBeDefined();
      await remind(job, run).catch((err: unknown) => {
        failure = err;
        throw err;
      });
    });
    advance(3 * MINUTE);
    await h.app.scheduler.runDue();
    expect(failure).toBeInstanceOf(LeaseLostError);
    expect(await actions(request.id)).not.toContain('access.reminded:sent');
    expect(h.connector.calls.filter((c) => /Access ends in/.test(cardText(c.activity)))).toEqual([]);
    expect(await jobOf(jobId)).toBeDefined();
  });
});
