/**
 * Drift is reported once per grant, even when the audit store stored the `access.drift` entry but
 * its answer was lost: the sweep un-marks the request and throws (a drift is never recorded
 * without its entry), and the next sweep marks it again and finds the entry already written
 * instead of writing a second one. The failed sweep says what failed (the recording), not that
 * acrbot could not read the registry's role assignments.
 */
import type { AuditEvent } from '../../src/domain/audit-chain';
import { DriftDetector } from '../../src/flows/drift-detector';
import { MemoryScheduleStore } from '../../src/integrations/store/memory-coordination';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import { LISTING_LAG_GRACE_MS } from '../../src/domain/listing-lag';
import { FakeClock } from './support/fake-clock';
import { pendingRequest } from './support/requests';

describe('drift reported once (drift-detector)', () => {
  test('an access.drift entry stored although its append failed is not written again by the next sweep', async () => {
    const clock = new FakeClock();
    // The grant below was made at the clock's start: past the listing's lag (listing-lag.ts).
    clock.advance(LISTING_LAG_GRACE_MS);
    const requests = new MemoryRequestStore();
    const audit = new MemoryAuditLog(clock);
    // The first append is stored, then the answer is lost (a timeout after the write landed).
    const append = audit.append.bind(audit);
    let lose = 1;
    audit.append = async (event: AuditEvent) => {
      const entry = await append(event);
      if (lose-- > 0) throw new Error('audit store did not answer');
      return entry;
    };
    // A permanent grant whose assignment is no longer on the registry (deleted outside acrbot).
    await requests.create(pendingRequest({ state: 'succeeded', outcome: { summary: 'Granted', azureRequestIds: [] } }));
    const drift = new DriftDetector(
      {
        requests,
        audit,
        roleAssignments: { listAssignedToAt: async () => [] },
        // Its assignment is gone: nothing else is read.
        resources: {
          getCluster: async () => {
            throw new Error('no cluster read');
          },
          getRegistry: async () => {
            throw new Error('no registry read');
          },
        },
        schedule: new MemoryScheduleStore(),
        clock,
      },
      { requestChanged: async () => undefined },
      createLogger({ level: 'silent' }),
      60_000,
    );

    await expect(drift.sweep()).rejects.toThrow(/could not audit drift of R-7K2M9QXA/);
    expect((await requests.get('R-7K2M9QXA'))?.access?.driftDetectedAt).toBeUndefined();
    // The undo is a write, and a grant without a term counts the listing's lag from its last
    // change (listing-lag.ts grantedBy): the next sweep after that.
    clock.advance(LISTING_LAG_GRACE_MS);
    expect((await drift.sweep()).map((r) => r.id)).toEqual(['R-7K2M9QXA']);
    expect((await requests.get('R-7K2M9QXA'))?.access?.driftDetectedAt).toBeDefined();
    // A third sweep sees the mark and reports nothing.
    expect(await drift.sweep()).toEqual([]);

    const drifts = (await audit.forRequest('R-7K2M9QXA')).filter((e) => e.action === 'access.drift');
    expect(drifts).toHaveLength(1);
    expect(drifts[0]).toMatchObject({ outcome: 'deleted', detail: expect.stringMatching(/noticed by sweeper/) });
  });
});
