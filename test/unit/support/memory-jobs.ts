/** JobScheduling over a memory schedule store, for flows that take the port without a Scheduler. */
import type { JobScheduling } from '../../../src/flows/request-jobs';
import type { JobSpec } from '../../../src/flows/scheduler';
import type { MemoryScheduleStore } from '../../../src/integrations/store/memory-coordination';

/** JobScheduling on `schedule`, as the Scheduler writes it: `scheduleIfAbsent` only where no job is. */
export function memoryJobs(schedule: MemoryScheduleStore): JobScheduling {
  const fresh = (job: JobSpec) => ({ ...job, dueAt: job.dueAt.toISOString(), attempts: 0 });
  return {
    schedule: (job) => schedule.put(fresh(job)),
    scheduleIfAbsent: (job) => schedule.putIfAbsent(fresh(job)),
    cancel: (id) => schedule.delete(id),
    get: (id) => schedule.get(id),
  };
}
