/**
 * A `--kind sp` rotation's clean-up job deletes the old application at its time and is cut short
 * before the audit entry saying so (a kill; here the append fails): the job runs again, finds
 * nothing, and records the old credential deleted by that earlier attempt (its
 * `credential.cleanup.started` mark), not "not found", and the card says it was deleted
 * once the new role had had time to apply.
 */
import type { AuditEvent } from '../../src/domain/audit-chain';
import { credentialCleanupJobId, DELETION_STARTED } from '../../src/flows/credential-cleanup';
import {
  actions,
  extendApproved,
  grantedSecretOnAksDev,
  h,
  MINUTE,
  runDueAfter,
  secretServicePrincipal,
  useLifecycleHooks,
} from '../helpers/lifecycle';

useLifecycleHooks();

test('the old application deleted, then the job stopped before its entry: the retry records it deleted, not absent', async () => {
  const { id, k8s } = await grantedSecretOnAksDev(
    'aks-dev contosoacr --kind sp --namespace payments --for 10m pull for payments-api',
  );
  const old = secretServicePrincipal(k8s);
  const extensionId = await extendApproved(id, '--for 1h rollout still running');
  await h.app.services.background.drain();
  expect(old.directory.getApplicationByAppId(old.appId)).toBeDefined();

  // The audit log fails the retirement's entry once: the run stops after its DELETE.
  const audit = h.app.stores.audit;
  const append = audit.append.bind(audit);
  let cut = true;
  audit.append = async (event: AuditEvent) => {
    if (cut && event.requestId === extensionId && event.action === 'credential.cleanup') {
      cut = false;
      throw new Error('killed before the entry was written');
    }
    return append(event);
  };
  await runDueAfter(31 * MINUTE);
  expect(old.directory.getApplicationByAppId(old.appId)).toBeUndefined();
  expect((await h.app.store.get(extensionId))!.outcome?.retirement).toEqual({ requestId: id });
  expect(await h.app.scheduler.get(credentialCleanupJobId(extensionId))).toBeDefined();

  // The job's next run (after its backoff) finds the application gone.
  await runDueAfter(2 * MINUTE);
  expect(await h.app.scheduler.get(credentialCleanupJobId(extensionId))).toBeUndefined();
  const done = (await h.app.store.get(extensionId))!;
  expect(done.outcome?.retirement).toBeUndefined();
  expect(done.outcome?.summary).toContain(
    `The credential of ${id}, which it replaced, was deleted once the new role had had time to apply.`,
  );
  expect(done.outcome?.summary).not.toContain('not found when its time came');
  const audited = await actions(extensionId);
  expect(audited.filter((a) => a.startsWith('credential.cleanup'))).toEqual([
    'credential.cleanup:pending',
    `${DELETION_STARTED}:started`,
    'credential.cleanup:deleted',
  ]);
});
