/**
 * G14 for `--kind sp` when the run fails right after Graph created the application and before
 * Graph has shown it: a DELETE by its id may then be Graph's replication 404 (the application is
 * not on the replica that answers), which says nothing about whether it is gone. The clean-up
 * looks it up by the uniqueName recorded before its creation instead, again later until Graph
 * shows it, and only then deletes it; it never reports deleted what is still there.
 */
import { type Harness, startHarness, users } from '../helpers/harness';

describe('an application Graph has not shown yet, left by a failed run', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.stop());

  /** acrbot's applications in the emulated directory. */
  const acrbotApplications = () =>
    [...h.app.sandbox!.directory.applications.values()].filter((a: { displayName: string }) =>
      a.displayName.startsWith('acrbot-pull'),
    ) as Array<{ id: string; uniqueName?: string; unreadableCalls: number }>;

  async function runCleanupJob(requestId: string): Promise<boolean> {
    const id = `cleanup.credential:${requestId}`;
    const job = await h.app.stores.schedule.get(id);
    expect(job).toMatchObject({ kind: 'cleanup.credential', requestId });
    await h.app.stores.schedule.put({ ...job!, dueAt: new Date(0).toISOString() });
    return h.app.scheduler.runNow(id);
  }

  test('its service principal cannot be created → not called deleted while the delete by id is a replication 404; the clean-up job deletes it once Graph shows it', async () => {
    const graph = h.app.sandbox!.graph;
    const request = await h.requestSecret(
      users.requester,
      'aks-dev contosoacr --kind sp --namespace payments --name acr-sp sp create fails',
    );
    // The next call that reaches the new application by its id or name does not find it yet
    // (replication); creating its service principal fails (once: not resent).
    h.app.sandbox!.directory.readReplicationDelay = 1;
    graph.faults.add({ operation: 'servicePrincipals.create', status: 500, code: 'InternalServerError' });
    await h.click(users.approver, 'approve', { requestId: request.id });
    const done = await h.settle(request.id);
    expect(done.state).toBe('failed');
    const [app] = acrbotApplications();
    expect(app).toBeDefined();
    // It is still there: the run must not say it deleted it.
    expect(done.outcome?.cleanup).toBe('pending');
    expect(done.outcome?.error).not.toMatch(/deleted again/);
    expect(done.outcome?.error).toMatch(/acrbot deletes the application once Graph shows it/);
    const cleanup = (await h.app.audit.forRequest(request.id)).filter((e) => e.action === 'credential.cleanup');
    expect(cleanup.map((e) => e.outcome)).toEqual(['pending']);
    // Graph shows it now: the clean-up job finds it by its recorded uniqueName and deletes it.
    expect(await runCleanupJob(request.id)).toBe(true);
    expect(acrbotApplications()).toEqual([]);
    expect((await h.app.store.get(request.id))?.outcome?.cleanup).toBe('deleted');
  });
});
