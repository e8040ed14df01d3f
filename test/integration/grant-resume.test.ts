/**
 * A grant run resumed after its earlier attempt had PUT the role assignment and stopped before
 * its outcome was stored (G13, G17): however the resumed attempt fails, Azure may hold the
 * assignment, so the request fails as unconfirmed and the lifecycle deletes the assignment,
 * instead of a plain failure that left an AcrPull nothing would ever end.
 */
import { LeaseLostError } from '../../src/domain/ports';
import type { AccessRequest } from '../../src/domain/request';
import { UNCONFIRMED_GRANT } from '../../src/flows/grant-runner';
import { SANDBOX_CLUSTERS, SANDBOX_REGISTRIES, sandboxResourceId } from '../../src/sandbox/fixtures';
import { type Harness, startHarness, users } from '../helpers/harness';

const contosoId = sandboxResourceId('registry', SANDBOX_REGISTRIES.contoso);
const aksProdId = sandboxResourceId('cluster', SANDBOX_CLUSTERS.prod);

describe('a resumed grant run', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => h.stop());

  const assignmentsNamed = (name: string) =>
    h.app.sandbox!.arm.state.listRoleAssignments(contosoId).filter((a: { name: string }) => a.name === name);

  /** Polls until `condition` holds: the first attempt stops in the background, with no event to await. */
  async function until(condition: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 15_000;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((res) => setTimeout(res, 10));
    }
    await h.app.services.executor.drain();
  }

  /** Approves `id`; its first attempt PUTs the assignment and is taken over as it stores "succeeded". */
  async function grantedThenTakenOver(id: string): Promise<AccessRequest> {
    const store = h.app.store;
    const update = store.update.bind(store);
    let refused = 0;
    store.update = async (next) => {
      if (!refused && next.id === id && next.state === 'succeeded') {
        refused++;
        throw new LeaseLostError(`exec:${id}`);
      }
      return update(next);
    };
    await h.click(users.approver, 'approve', { requestId: id });
    await until(() => refused === 1, 'the refused store write');
    store.update = update;
    const request = (await h.app.store.get(id))!;
    expect(request.state).toBe('executing');
    return request;
  }

  /** Runs the resume sweep once with `fail` in place (it returns what undoes it), then undoes it. */
  async function resumeWith(fail: () => () => void): Promise<void> {
    const undo = fail();
    try {
      await h.app.services.executor.resumeInterrupted();
      await h.app.services.executor.drain();
    } finally {
      undo();
    }
  }

  test.each([
    [
      'an ARM refusal on the cluster re-check (403: acrbot may no longer read it)',
      () =>
        h.app.sandbox!.arm.faults.add({ operation: 'managedClusters.get', status: 403, code: 'AuthorizationFailed' }),
      /^acrbot may no longer read cluster aks-prod \(Azure answered AuthorizationFailed\).+Reader role.+\. An earlier attempt of this request had already asked Azure/,
    ],
    [
      'the cluster deleted meanwhile (a user-facing re-check failure)',
      () => h.app.sandbox!.arm.state.removeCluster(aksProdId),
      /^Cluster aks-prod no longer exists \(deleted\), so nothing was granted\. An earlier attempt of this request had already asked Azure/,
    ],
  ])('%s: fails unconfirmed, and the assignment its earlier attempt made is deleted', async (_name, breakIt, error) => {
    const filed = await h.requestGrant(users.requester, 'aks-prod contosoacr --for 1d deploy payments-api');
    const request = await grantedThenTakenOver(filed.id);
    const name = (request.plan as { roleAssignmentName: string }).roleAssignmentName;
    expect(assignmentsNamed(name)).toHaveLength(1);
    breakIt();

    await h.app.services.executor.resumeInterrupted();
    await h.app.services.executor.drain();
    const failed = (await h.app.store.get(filed.id))!;
    expect(failed.state).toBe('failed');
    expect(failed.outcome?.errorCode).toBe(UNCONFIRMED_GRANT);
    expect(failed.outcome?.error).toMatch(error);

    // The lifecycle's clean-up job is due now: it deletes what acrbot's records say it made.
    h.app.sandbox!.arm.faults.clear();
    await h.app.scheduler.runDue();
    expect(assignmentsNamed(name)).toEqual([]);
    expect((await h.app.audit.forRequest(filed.id)).map((e) => `${e.action}:${e.outcome}`)).toContain(
      'access.revoke.roleAssignment:deleted',
    );
  });

  test('a resumed run whose audit entry cannot be written stays executing for the next resume (not failed as "no change in Azure"), then finishes', async () => {
    const filed = await h.requestGrant(users.requester, 'aks-prod contosoacr --for 1d deploy payments-api');
    const request = await grantedThenTakenOver(filed.id);
    const name = (request.plan as { roleAssignmentName: string }).roleAssignmentName;
    const audit = h.app.audit;
    let refused = 0;
    await resumeWith(() => {
      const append = audit.append.bind(audit);
      audit.append = async (event) => {
        if (event.action === 'execution.resumed') {
          refused++;
          throw new Error('the audit store does not answer');
        }
        return append(event);
      };
      return () => (audit.append = append);
    });
    expect(refused).toBe(1);
    expect((await h.app.store.get(filed.id))!.state).toBe('executing');
    expect(h.logs.lines.some((l) => l.includes('the audit log could not be written as the run resumed'))).toBe(true);

    await h.app.services.executor.resumeInterrupted();
    await h.app.services.executor.drain();
    expect((await h.app.store.get(filed.id))!.state).toBe('succeeded');
    expect(assignmentsNamed(name)).toHaveLength(1);
  });

  test('a resumed run whose end of access cannot be scheduled stays executing for the next resume, then finishes', async () => {
    const filed = await h.requestGrant(users.requester, 'aks-prod contosoacr --for 1d deploy payments-api');
    await grantedThenTakenOver(filed.id);
    const scheduler = h.app.scheduler;
    let refused = 0;
    await resumeWith(() => {
      const schedule = scheduler.schedule.bind(scheduler);
      scheduler.schedule = async (job) => {
        if (job.id === `access.expire:${filed.id}` && !refused++) throw new Error('the schedule store does not answer');
        return schedule(job);
      };
      return () => (scheduler.schedule = schedule);
    });
    expect(refused).toBe(1);
    expect((await h.app.store.get(filed.id))!.state).toBe('executing');
    expect(
      h.logs.lines.some((l) => l.includes('the end of the access could not be scheduled as the run resumed')),
    ).toBe(true);

    await h.app.services.executor.resumeInterrupted();
    await h.app.services.executor.drain();
    expect((await h.app.store.get(filed.id))!.state).toBe('succeeded');
  });
});
