/**
 * The `drift.check` job when one registry's role assignments cannot be listed (acrbot lost
 * Reader there): every other registry is checked and its drift recorded, the failing registry is
 * logged once per run with Azure's answer and the job's correlation id, the run is recorded and
 * reported as a failing job, and its retry is the next regular run (ACRBOT_DRIFT_INTERVAL), not
 * the backoff's; once the listing works again the job goes on as before.
 */
import { DRIFT_JOB_ID } from '../../src/flows/drift-detector';
import type { GrantPlan } from '../../src/domain/plan';
import type { AccessRequest } from '../../src/domain/request';
import { SANDBOX_REGISTRIES, sandboxResourceId } from '../../src/sandbox/fixtures';
import { cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';

const MINUTE = 60_000;
const INTERVAL = 15 * MINUTE; // ACRBOT_DRIFT_INTERVAL's default
const REGISTRY_LINE =
  'drift check could not list the role assignments on a registry; its grants were not checked in this run';
const contosoId = sandboxResourceId('registry', SANDBOX_REGISTRIES.contoso);
const sharedDataId = sandboxResourceId('registry', SANDBOX_REGISTRIES.sharedData);

let now = new Date('2026-11-30T10:00:00Z');
let h: Harness | undefined;

afterEach(async () => {
  await h?.stop();
});

/** A grant approved and run, whose role assignment is then deleted outside acrbot. */
async function grantedThenDeleted(args: string): Promise<AccessRequest> {
  const request = await h!.requestGrant(users.requester, args);
  await h!.click(users.approver, 'approve', { requestId: request.id });
  const done = await h!.settle(request.id);
  expect(done.state).toBe('succeeded');
  expect(h!.app.sandbox!.arm.state.roleAssignments.delete((done.plan as GrantPlan).roleAssignmentName)).toBe(true);
  return done;
}

/** Runs the drift job at its due time; returns that time. */
async function runDrift(): Promise<number> {
  const job = await h!.app.stores.schedule.get(DRIFT_JOB_ID);
  now = new Date(Math.max(now.getTime(), Date.parse(job!.dueAt)));
  await h!.app.scheduler.runDue();
  await h!.app.services.background.drain();
  return now.getTime();
}

const registryLines = () => h!.logs.entries().filter((e) => e.msg === REGISTRY_LINE);
const reports = () =>
  h!.connector.calls.filter((c) => c.op !== 'update' && /Needs attention/.test(cardText(c.activity)));

test('one of two registries cannot be listed: the other’s drift is recorded, the failure logged and reported, the next regular run kept', async () => {
  h = await startHarness({ ACRBOT_EXPIRY_REMINDERS: 'none' }, { clock: { now: () => now } });
  const refused = await grantedThenDeleted('aks-prod contosoacr deploy payments');
  const listed = await grantedThenDeleted(`aks-prod ${sharedDataId} deploy payments data`);
  // acrbot loses Reader on the first grant's subscription, its registry included.
  const platform = `/subscriptions/${SANDBOX_REGISTRIES.contoso.subscriptionId}`;
  const read = 'Microsoft.Authorization/roleAssignments/read';
  h.app.sandbox!.arm.state.denyAction(platform, read);

  const ran = await runDrift();

  expect((await h.app.store.get(listed.id))!.access?.driftReason).toBe('deleted');
  expect((await h.app.audit.forRequest(listed.id)).map((e) => e.action)).toContain('access.drift');
  expect((await h.app.store.get(refused.id))!.access?.driftDetectedAt).toBeUndefined();
  // Recorded as a failure, due again at the next regular run (not in 30 s).
  const job = (await h.app.stores.schedule.get(DRIFT_JOB_ID))!;
  expect(job.attempts).toBe(1);
  expect(job.lastError).toMatch(
    new RegExp(
      `^drift check could not list the role assignments of 1 of 2 identity and registry pairs \\(the others were checked\\): identity \\S+ on registry ${contosoId}: 403 AuthorizationFailed$`,
    ),
  );
  expect(Date.parse(job.dueAt)).toBe(ran + INTERVAL);
  // The registry logged once, with Azure's answer (pino's err serializer) and the job's reference.
  expect(registryLines()).toEqual([
    expect.objectContaining({
      level: 50,
      registry: contosoId,
      identities: 1,
      correlationId: 'job-drift.check',
      answer: '403 AuthorizationFailed',
      err: expect.objectContaining({ message: expect.stringMatching(/does not have authorization/) }),
    }),
  ]);
  expect(h.logs.entries().filter((e) => e.msg === 'scheduled job failed; retrying later')).toEqual([
    expect.objectContaining({ jobId: DRIFT_JOB_ID, attempts: 1, correlationId: 'job-drift.check' }),
  ]);

  // Two more regular runs fail the same way: reported at the third, as a failing job is.
  expect(reports()).toEqual([]);
  const second = await runDrift();
  expect(second).toBe(ran + INTERVAL);
  const third = await runDrift();
  expect(third).toBe(ran + 2 * INTERVAL);
  expect(registryLines()).toHaveLength(3);
  // The report names ARM's status and code and the registry (what an operator acts on: Reader
  // there), never ARM's message; the run's reference finds its log lines (the registry's above).
  const [report] = reports().map((c) => cardText(c.activity));
  expect(reports()).toHaveLength(1);
  expect(report).toContain(
    `Checking granted access against Azure (the drift check) is not done after 3 attempts (last answer: ARM answered 403 AuthorizationFailed for the role assignments on registry ${SANDBOX_REGISTRIES.contoso.name}). acrbot keeps trying; next attempt at ${new Date(third + INTERVAL).toISOString().slice(0, 16).replace('T', ' ')} UTC.`,
  );
  expect(report).toContain('Tell the platform team (reference job-drift.check)');
  expect(report).not.toMatch(/does not have authorization|unexpected error/);

  // Reader given back: the next regular run records the first grant's drift and goes on as before.
  h.app.sandbox!.arm.state.allowAction(platform, read);
  const fixed = await runDrift();
  expect((await h.app.store.get(refused.id))!.access?.driftReason).toBe('deleted');
  expect(await h.app.stores.schedule.get(DRIFT_JOB_ID)).toMatchObject({
    attempts: 0,
    dueAt: new Date(fixed + INTERVAL).toISOString(),
  });
  expect(registryLines()).toHaveLength(3);
});
