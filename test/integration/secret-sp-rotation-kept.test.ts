/**
 * A `--kind sp` rotation (a secret extension) keeps the credential it replaced until the new
 * service principal's AcrPull role can have applied (usually minutes, at worst half an hour): the
 * old application and its role assignment stay, the card says until when, and the request's
 * clean-up job deletes them then (credential-cleanup.ts SP_RETIREMENT_DELAY_MS). A revocation
 * inside that window deletes both credentials. A token rotation still retires at once
 * (rotation-card-lines.test.ts).
 */
import { credentialCleanupJobId, scheduleCleanupsForPending } from '../../src/flows/credential-cleanup';
import { cardText } from '../helpers/capturing-connector';
import { users } from '../helpers/harness';
import {
  actions,
  assignmentsOn,
  contosoId,
  extendApproved,
  grantedSecretOnAksDev,
  h,
  MINUTE,
  now,
  runDueAfter,
  secretServicePrincipal,
  stateOnceClickWorkDone,
  useLifecycleHooks,
} from '../helpers/lifecycle';

useLifecycleHooks();

/** The principals holding a role assignment on contosoacr, sorted. */
const principalsOnRegistry = () =>
  assignmentsOn(contosoId)
    .map((a: { principalId: string }) => a.principalId)
    .sort();

/** A `--kind sp` secret extended once: the original's and the extension's service principals. */
async function rotated() {
  const { id, k8s } = await grantedSecretOnAksDev(
    'aks-dev contosoacr --kind sp --namespace payments --for 10m pull for payments-api',
  );
  const old = secretServicePrincipal(k8s);
  h.connector.clear();
  const extensionId = await extendApproved(id, '--for 1h rollout still running');
  await h.app.services.background.drain();
  const fresh = secretServicePrincipal(k8s);
  expect(fresh.appId).not.toBe(old.appId);
  return { id, extensionId, old, fresh, directory: old.directory };
}

/** How many requests each emulator has logged: where {@link answeredSince} starts looking. */
const logged = () => ({ arm: h.app.sandbox!.arm.requests.length, graph: h.app.sandbox!.graph.requests.length });

/**
 * The request ids the emulator (`arm` or `graph`) answered `operation` on a path containing
 * `pathIncludes` with since `mark`, oldest first (2xx and 404, the answers acrbot records).
 */
function answeredSince(
  mark: ReturnType<typeof logged>,
  emulator: 'arm' | 'graph',
  operation: string,
  pathIncludes = '',
): string[] {
  return h.app
    .sandbox![emulator].requests.slice(mark[emulator])
    .filter(
      (r) =>
        r.operation === operation &&
        r.path.toLowerCase().includes(pathIncludes.toLowerCase()) &&
        (r.status < 300 || r.status === 404),
    )
    .map((r) => r.requestId);
}

/** `requestId`'s `credential.cleanup` entries with `outcome`. */
async function cleanupEntries(requestId: string, outcome: string) {
  return (await h.app.audit.forRequest(requestId)).filter(
    (e) => e.action === 'credential.cleanup' && e.outcome === outcome,
  );
}

/** The `.dueAt` of `requestId`'s clean-up job, if it is scheduled. */
async function cleanupDue(requestId: string): Promise<number | undefined> {
  const job = await h.app.scheduler.get(credentialCleanupJobId(requestId));
  return job ? Date.parse(job.dueAt) : undefined;
}

test('the old application and its AcrPull assignment stay after the rotation; the card says until when; the clean-up job deletes them 30 minutes on', async () => {
  const { id, extensionId, old, fresh, directory } = await rotated();
  const rotatedAt = now.getTime();
  // Both credentials work: the new role may not apply yet.
  expect(directory.getApplicationByAppId(old.appId)).toBeDefined();
  expect(principalsOnRegistry()).toEqual([old.sp.id, fresh.sp.id].sort());
  const extension = (await h.app.store.get(extensionId))!;
  expect(extension.outcome?.retirement).toEqual({ requestId: id });
  expect(extension.outcome?.retired).toEqual({ requestId: id, credential: 'pending' });
  const card = h.connector.calls.find(
    (c) => c.op !== 'update' && new RegExp(`Access of ${id} extended`).test(cardText(c.activity)),
  );
  const text = cardText(card!.activity);
  // The sandbox registry let the new service principal pull at once (pull-check.ts): the old one
  // is kept for what still pulls with it (secret-sp-rotation-pull-check.test.ts: when it does not).
  expect(text).toContain(
    'acrbot checked that the new credential pulls from registry contosoacr before it replaced the old one in the secret.',
  );
  expect(text).toContain(
    `The credential of ${id}, which it replaced, is kept for whatever still pulls with it (a node that has not read the secret again yet); acrbot deletes it at 2026-11-30 10:30 UTC.`,
  );
  expect(text).not.toContain('The credential it replaced was deleted');
  expect(await actions(extensionId)).not.toContain('credential.cleanup:deleted');

  // The job the run's end scheduled (a minute on) finds it too soon and moves itself.
  await runDueAfter(2 * MINUTE);
  expect(directory.getApplicationByAppId(old.appId)).toBeDefined();
  expect(principalsOnRegistry()).toEqual([old.sp.id, fresh.sp.id].sort());
  expect(await cleanupDue(extensionId)).toBe(rotatedAt + 30 * MINUTE);

  const oldApplication = directory.getApplicationByAppId(old.appId)!;
  const oldAssignment = assignmentsOn(contosoId).find((a: { principalId: string }) => a.principalId === old.sp.id)!;
  const beforeRetirement = logged();
  await runDueAfter(29 * MINUTE);
  expect(directory.getApplicationByAppId(old.appId)).toBeUndefined();
  expect(directory.getApplicationByAppId(fresh.appId)).toBeDefined();
  expect(principalsOnRegistry()).toEqual([fresh.sp.id]);
  expect(await cleanupDue(extensionId)).toBeUndefined();
  const done = (await h.app.store.get(extensionId))!;
  expect(done.outcome?.retirement).toBeUndefined();
  expect(done.outcome?.summary).toContain(
    `The credential of ${id}, which it replaced, was deleted once the new role had had time to apply.`,
  );
  expect(done.outcome?.summary).not.toContain('is kept until');
  expect(await actions(extensionId)).toContain('credential.cleanup:deleted');
  // Its entry carries the request ids of the DELETEs it records, for Azure's Activity Log and
  // Entra's audit log: ARM's for the old AcrPull assignment, Graph's for the old application's
  // delete and its permanent delete (the ids the emulators sent back).
  const sent = [
    ...answeredSince(beforeRetirement, 'arm', 'roleAssignments.delete', oldAssignment.id),
    ...answeredSince(beforeRetirement, 'graph', 'applications.delete', oldApplication.id),
    ...answeredSince(beforeRetirement, 'graph', 'directory.deletedItems.delete', oldApplication.id),
  ];
  expect(sent).toHaveLength(3);
  expect(
    (await cleanupEntries(extensionId, 'deleted')).map(({ detail, correlationIds }) => ({ detail, correlationIds })),
  ).toEqual([
    {
      detail: 'the credential this request replaced, deleted once the new role had had time to apply',
      correlationIds: sent,
    },
  ]);
  // The access goes on with the new credential.
  expect((await h.app.store.get(id))!.state).toBe('succeeded');
});

test('a revocation inside the window deletes both credentials; the clean-up job then finds the old one gone', async () => {
  const { id, extensionId, old, fresh, directory } = await rotated();
  const oldApplication = directory.getApplicationByAppId(old.appId)!;
  await h.click(users.requester, 'revokeConfirm', { requestId: id, reason: 'leaked in a log' });
  expect(await stateOnceClickWorkDone(id)).toBe('revoked');
  expect(directory.getApplicationByAppId(old.appId)).toBeUndefined();
  expect(directory.getApplicationByAppId(fresh.appId)).toBeUndefined();
  expect(principalsOnRegistry()).toEqual([]);

  const beforeRetirement = logged();
  await runDueAfter(31 * MINUTE);
  expect(await cleanupDue(extensionId)).toBeUndefined();
  const done = (await h.app.store.get(extensionId))!;
  expect(done.outcome?.retirement).toBeUndefined();
  // Not found is all the job knows: never created, or deleted by someone else or by the end of the access.
  expect(done.outcome?.summary).toContain(
    `The credential of ${id}, which it replaced, was not found when its time came (never created, or deleted by someone else or by the end of that access); nothing was deleted.`,
  );
  expect(done.outcome?.summary).not.toContain('deleted already');
  expect(await actions(extensionId)).toContain('credential.cleanup:absent');
  expect(
    (await h.app.audit.forRequest(extensionId))
      .filter((e) => e.action === 'credential.cleanup' && e.outcome === 'absent')
      .map((e) => e.detail),
  ).toEqual([
    'the credential this request replaced, not found when its time came (never created, or deleted by someone else or by the end of the access); nothing deleted',
  ]);
  // The one DELETE it sent, the old application's, answered 404: the entry carries that answer's
  // request id. The AcrPull assignment was not listed any more, so no DELETE went to ARM; the
  // permanent delete Graph then also answered 404 is not among them (the port reports the
  // application's 404, graph-service-principals.ts deleteApplication).
  expect(answeredSince(beforeRetirement, 'arm', 'roleAssignments.delete')).toEqual([]);
  const gone = h.app
    .sandbox!.graph.requests.slice(beforeRetirement.graph)
    .filter((r) => r.operation === 'applications.delete');
  expect(gone.map((r) => [r.path.endsWith(`/applications/${oldApplication.id}`), r.status])).toEqual([[true, 404]]);
  expect((await cleanupEntries(extensionId, 'absent')).map((e) => e.correlationIds)).toEqual([[gone[0].requestId]]);
});

test('an "absent" entry an earlier release wrote ("deleted already") before it could save the outcome still ends the retirement: no second entry', async () => {
  const { id, extensionId } = await rotated();
  await h.click(users.requester, 'revokeConfirm', { requestId: id, reason: 'leaked in a log' });
  expect(await stateOnceClickWorkDone(id)).toBe('revoked');
  const extension = (await h.app.store.get(extensionId))!;
  // As that release audited it; it stopped before it took the mark off the outcome.
  await h.app.audit.append({
    actor: { objectId: 'acrbot', name: 'acrbot' },
    tenantId: extension.tenantId,
    action: 'credential.cleanup',
    requestId: extensionId,
    targetIds: [extension.plan.registry.id],
    outcome: 'absent',
    detail: 'the credential this request replaced, not found when its time came: deleted already',
  });

  await runDueAfter(31 * MINUTE);
  expect(await cleanupDue(extensionId)).toBeUndefined();
  expect((await h.app.store.get(extensionId))!.outcome?.retirement).toBeUndefined();
  expect(
    (await h.app.audit.forRequest(extensionId)).filter(
      (e) => e.action === 'credential.cleanup' && e.outcome === 'absent',
    ),
  ).toHaveLength(1);
});

test('the old application deleted outside acrbot inside the window: its clean-up job still deletes its AcrPull assignment', async () => {
  const { extensionId, old, fresh, directory } = await rotated();
  const app = directory.getApplicationByAppId(old.appId)!;
  directory.deleteApplication(app.id);
  directory.purgeDeletedItem(app.id);
  // Azure keeps the assignment of the deleted service principal.
  expect(principalsOnRegistry()).toEqual([old.sp.id, fresh.sp.id].sort());

  const oldAssignment = assignmentsOn(contosoId).find((a: { principalId: string }) => a.principalId === old.sp.id)!;
  const beforeRetirement = logged();
  await runDueAfter(31 * MINUTE);
  expect(await cleanupDue(extensionId)).toBeUndefined();
  expect(principalsOnRegistry()).toEqual([fresh.sp.id]);
  expect(await actions(extensionId)).toContain('credential.cleanup:deleted');
  // The assignment's DELETE and the application's, answered 404, are both recorded.
  const sent = [
    ...answeredSince(beforeRetirement, 'arm', 'roleAssignments.delete', oldAssignment.id),
    ...answeredSince(beforeRetirement, 'graph', 'applications.delete', app.id),
  ];
  expect(sent).toHaveLength(2);
  expect((await cleanupEntries(extensionId, 'deleted')).map((e) => e.correlationIds)).toEqual([sent]);
});

test('a restart inside the window: the start’s sweep schedules the clean-up at the credential’s time, not sooner', async () => {
  const { extensionId, old, directory } = await rotated();
  const rotatedAt = now.getTime();
  await h.app.scheduler.cancel(credentialCleanupJobId(extensionId));
  expect(await scheduleCleanupsForPending(h.app.store, h.app.scheduler, { now: () => now })).toBe(1);
  expect(await cleanupDue(extensionId)).toBe(rotatedAt + 30 * MINUTE);
  await runDueAfter(5 * MINUTE);
  expect(directory.getApplicationByAppId(old.appId)).toBeDefined();
});
