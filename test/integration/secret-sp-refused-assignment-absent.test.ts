/**
 * The clean-up of a resumed `--kind sp` run whose Entra application is refused (someone else
 * holds it as well, G15): the role assignment an earlier attempt recorded is deleted by the
 * run (secret-sp-earlier-attempts.ts). When ARM answers that DELETE 404 (gone since the
 * listing), the run deleted nothing: the entry says `absent`, with the 404's request id, never
 * `deleted`, and the failure still says nothing was granted. Against the emulated ARM, Graph
 * and Kubernetes API server, as test/integration/secret-flow-resume.test.ts resumes a run.
 */
import { LeaseLostError } from '../../src/domain/ports';
import type { AccessRequest } from '../../src/domain/request';
import { SANDBOX_REGISTRIES, sandboxResourceId } from '../../src/sandbox/fixtures';
import { type Harness, startHarness, users } from '../helpers/harness';
import { within } from '../helpers/within';

const contosoId = sandboxResourceId('registry', SANDBOX_REGISTRIES.contoso);

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => h.stop());

/** acrbot's applications in the emulated directory. */
const ourApplications = () =>
  [...h.app.sandbox!.directory.applications.values()].filter((a: { displayName: string }) =>
    a.displayName.startsWith('acrbot-pull'),
  ) as Array<{ id: string; ownerIds: Set<string> }>;

/**
 * Approves `id` and has its first attempt taken over (a LeaseLostError) at the store write that
 * records the secret's write starting: the application and its role assignment are made and
 * recorded, and the request stays executing for a resume.
 */
async function approveAndStopAtWriteStart(id: string): Promise<void> {
  const store = h.app.store;
  const update = store.update.bind(store);
  let refused = 0;
  store.update = async (next: AccessRequest) => {
    if (!refused && next.id === id && next.created?.some((o) => o.kind === 'pullSecretWriteStarted')) {
      refused++;
      throw new LeaseLostError(`exec:${id}`);
    }
    return update(next);
  };
  await h.click(users.approver, 'approve', { requestId: id });
  await within(h.app.services.executor.drain(), 'the first attempt to stop', 15_000);
  expect(refused).toBe(1);
  expect((await h.app.store.get(id))?.state).toBe('executing');
}

test("a refused application's recorded role assignment whose DELETE ARM answers 404: audited absent with that answer's request id, not deleted", async () => {
  const request = await h.requestSecret(
    users.requester,
    'aks-dev contosoacr --kind sp --namespace payments resumed and refused',
  );
  await approveAndStopAtWriteStart(request.id);
  const [app] = ourApplications();
  expect(app).toBeDefined();
  const [assignment] = h.app.sandbox!.arm.state.listRoleAssignments(contosoId);
  expect(assignment).toBeDefined();
  // Someone else holds the application too: the resumed run refuses it and deletes the role
  // assignment its earlier attempt made, whose DELETE is answered "not found".
  app.ownerIds.add(users.outsider.objectId);
  const arm = h.app.sandbox!.arm;
  arm.faults.add({ operation: 'roleAssignments.delete', status: 404, code: 'RoleAssignmentNotFound' });

  await h.app.services.executor.resumeInterrupted();
  const done = await h.settle(request.id);
  expect(done.state).toBe('failed');
  expect(done.outcome?.error).toMatch(/acrbot will not use Entra application .* Nothing was granted;/);

  const deletes = arm.requests.filter((r) => r.operation === 'roleAssignments.delete');
  expect(deletes.map((r) => r.status)).toEqual([404]);
  const cleanup = (await h.app.audit.forRequest(request.id)).filter((e) => e.action === 'credential.cleanup');
  expect(cleanup.map((e) => [e.outcome, e.detail])).toEqual([
    ['absent', 'not there when deleted (Azure answered 404); nothing deleted'],
  ]);
  expect(cleanup[0].targetIds.map((t) => t.toLowerCase())).toEqual([assignment.id.toLowerCase()]);
  expect(cleanup[0].correlationIds).toEqual([deletes[0].requestId]);
  // Not deleted by acrbot, nor is the application someone else holds.
  expect(ourApplications()).toHaveLength(1);
});
