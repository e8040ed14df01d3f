/**
 * A store restored from a backup taken while a grant ran: the run comes back `executing`, but its
 * access was granted and revoked since. Picked up hours after its approval, it is failed ("too
 * long ago to resume safely"), not resumed: the revoked access does not come back.
 */
import { LeaseLostError } from '../../src/domain/ports';
import type { AccessRequest } from '../../src/domain/request';
import { SANDBOX_REGISTRIES, sandboxResourceId } from '../../src/sandbox/fixtures';
import { type Harness, startHarness, users } from '../helpers/harness';

const contosoId = sandboxResourceId('registry', SANDBOX_REGISTRIES.contoso);
const HOUR = 3_600_000;

/** Polls until `condition` holds (background work with no event to await). */
async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((res) => setTimeout(res, 10));
  }
}

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => h.stop());

test('a grant caught mid-run in a backup three hours old is failed after the restore, and the access revoked since stays revoked', async () => {
  const filed = await h.requestGrant(users.requester, 'aks-prod contosoacr --for 1d deploy payments-api');
  const store = h.app.store;
  // The backup: taken while the run was between its PUT and its outcome (the outcome's write is
  // refused once, so the run stops there, executing, as a crash would leave it).
  const update = store.update.bind(store);
  let refused = 0;
  store.update = async (next) => {
    if (!refused && next.id === filed.id && next.state === 'succeeded') {
      refused++;
      throw new LeaseLostError(`exec:${filed.id}`);
    }
    return update(next);
  };
  await h.click(users.approver, 'approve', { requestId: filed.id });
  await until(async () => refused === 1, 'the refused outcome');
  await h.app.services.executor.drain();
  store.update = update;
  const atBackup = (await store.get(filed.id))!;
  expect(atBackup.state).toBe('executing');
  const name = (atBackup.plan as { roleAssignmentName: string }).roleAssignmentName;
  const assignments = () =>
    h.app.sandbox!.arm.state.listRoleAssignments(contosoId).filter((a: { name: string }) => a.name === name);

  // After the backup: the run finishes, and the access is revoked.
  await h.app.services.executor.resumeInterrupted();
  await h.settle(filed.id);
  await h.say(users.requester, `revoke ${filed.id} not needed any more`);
  await h.click(users.requester, 'revokeConfirm', { requestId: filed.id, reason: 'not needed any more' });
  await until(async () => (await store.get(filed.id))!.state === 'revoked', 'the revocation');
  expect(assignments()).toHaveLength(0);

  // Three hours later the store is restored from that backup (its record as it was then), and
  // acrbot starts: the start's resume sweep picks the run up.
  const threeHoursEarlier = (iso: string) => new Date(Date.parse(iso) - 3 * HOUR).toISOString();
  const backup: AccessRequest = {
    ...atBackup,
    updatedAt: threeHoursEarlier(atBackup.updatedAt),
    decision: { ...atBackup.decision!, at: threeHoursEarlier(atBackup.decision!.at) },
  };
  // The backup's record in place of the live one (its older version too), as a restore leaves it.
  (store as unknown as { requests: Map<string, unknown> }).requests.delete(filed.id);
  await store.create(backup);
  await h.app.services.executor.resumeInterrupted();
  await h.app.services.executor.drain();

  const after = (await store.get(filed.id))!;
  expect(after.state).toBe('failed');
  expect(after.outcome!.error).toContain('interrupted too long ago to resume safely');
  expect(assignments()).toHaveLength(0);
  const trail = (await h.app.audit.forRequest(filed.id)).map((e) => `${e.action}:${e.outcome}`);
  expect(trail.filter((e) => e === 'request.failed:failed')).toHaveLength(1);
});
