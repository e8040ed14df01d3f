/**
 * The credential clean-up job (`credential.cleanup`, wired in src/composition/scheduler.ts and
 * flows.ts) checks the scheduler's lease before each deletion and before it audits what it found:
 * a run that stalled past its lease while another instance took the job over deletes, audits and
 * writes nothing (the holder does that work). Before, the composition did not hand the run on, so
 * a stale run could audit "absent" after the holder audited "deleted".
 */
import { LeaseLostError } from '../../src/domain/ports';
import { cleanupJob, CREDENTIAL_CLEANUP_KIND, credentialCleanupJobId } from '../../src/flows/credential-cleanup';
import type { JobHandler } from '../../src/flows/scheduler';
import { useLifecycleHooks, h, advance, start, MINUTE, actions, jobOf } from '../helpers/lifecycle';
import { pendingRequest, REGISTRY_ID, secretPlan, SUB } from '../unit/support/requests';

describe('credential.cleanup under a lost lease', () => {
  useLifecycleHooks();

  test('a run whose lease was taken over calls Azure for nothing and audits nothing; the job stays', async () => {
    await start();
    const id = 'R-CLNLEASE';
    const tokenName = `acrbot-${id.toLowerCase()}`;
    const recordedAt = advance(0).toISOString();
    await h.app.store.create(
      pendingRequest({
        id,
        state: 'failed',
        plan: secretPlan(),
        created: [{ kind: 'acrToken', id: `${REGISTRY_ID}/tokens/${tokenName}`, name: tokenName, recordedAt }],
        outcome: {
          summary: 'Failed',
          azureRequestIds: [],
          cleanup: 'pending',
          credentialRef: JSON.stringify([
            { kind: 'token', subscriptionId: SUB, resourceGroup: 'rg-acr', registry: 'contosoacr', tokenName },
          ]),
        },
      }),
    );
    // Due on the test clock (advance(0) reads it).
    await h.app.scheduler.schedule(cleanupJob(id, { now: () => advance(0) }));
    // The registered handler, run by a wrapper that stalls past the lease first.
    const scheduler = h.app.scheduler as unknown as { handlers: Map<string, JobHandler> };
    const cleanUp = scheduler.handlers.get(CREDENTIAL_CLEANUP_KIND)!;
    // The wrapper only records: the scheduler catches what a handler throws (an `expect` there
    // would fail the job, not the test), so every check is made after runDue().
    let failure: unknown;
    let takenOver: unknown;
    let armCalls: number | undefined;
    h.app.scheduler.register(CREDENTIAL_CLEANUP_KIND, async (job, run) => {
      advance(h.app.config.leaseTtlMs + 1);
      takenOver = await h.app.stores.leases.acquire(`job:${job.id}`, 'another-instance', MINUTE);
      armCalls = h.app.sandbox!.arm.requests.length;
      await cleanUp(job, run).catch((err: unknown) => {
        failure = err;
        throw err;
      });
    });
    advance(60 * MINUTE);
    await h.app.scheduler.runDue();
    expect(takenOver).toBeDefined();
    expect(failure).toBeInstanceOf(LeaseLostError);
    expect(armCalls).toBeDefined();
    expect(h.app.sandbox!.arm.requests.length).toBe(armCalls);
    expect((await actions(id)).filter((a) => a.startsWith('credential.cleanup'))).toEqual([]);
    expect((await h.app.store.get(id))?.outcome?.cleanup).toBe('pending');
    expect(await jobOf(credentialCleanupJobId(id))).toBeDefined();
  });
});
