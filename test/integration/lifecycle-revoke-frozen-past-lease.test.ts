/**
 * A revocation frozen past its leases (a GC pause, a stopped VM) between its `deleting` mark and
 * its DELETE, while another instance took its job over, finished it, and the requester was granted
 * the same pair again: the role assignment's name is the same for every grant of a pair, so the
 * woken run's DELETE would remove the new grant's assignment (the requester told "granted", pulls
 * failing, nothing saying why). It checks its leases right before the DELETE and stops.
 */
import type { AuditEvent } from '../../src/domain/audit-chain';
import { users } from '../helpers/harness';
import {
  actions,
  advance,
  assignmentsOn,
  contosoId,
  grant,
  h,
  MINUTE,
  start,
  useLifecycleHooks,
} from '../helpers/lifecycle';

describe('a revocation frozen past its leases', () => {
  useLifecycleHooks();

  test('at its deleting mark, while the pair was revoked and granted again elsewhere: the newer grant keeps its assignment', async () => {
    await start();
    const first = await grant(users.requester, 'aks-prod contosoacr --for 1h deploy payments-api');
    await h.app.services.executor.drain();
    expect(assignmentsOn(contosoId)).toHaveLength(1);
    advance(61 * MINUTE);

    const audit = h.app.audit;
    const append = audit.append.bind(audit);
    let newer = '';
    audit.append = async (event: AuditEvent) => {
      if (
        !newer &&
        event.requestId === first.id &&
        event.action === 'access.revoke.roleAssignment' &&
        event.outcome === 'deleting'
      ) {
        newer = 'frozen';
        // Frozen for three minutes: its access and job leases lapse.
        advance(3 * MINUTE);
        // Another instance's sweep takes the job over and finishes the revocation.
        expect(await h.app.scheduler.runNow(`access.expire:${first.id}`)).toBe(true);
        expect((await h.app.store.get(first.id))!.state).toBe('revoked');
        expect(assignmentsOn(contosoId)).toHaveLength(0);
        // The requester asks again and is granted the same pair.
        newer = (await grant(users.requester, 'aks-prod contosoacr --for 1h deploy payments-api')).id;
        await h.app.services.executor.drain();
        expect(assignmentsOn(contosoId)).toHaveLength(1);
      }
      return append(event);
    };
    try {
      // The frozen run wakes: it lost its leases, and stops before its DELETE.
      await h.app.scheduler.runNow(`access.expire:${first.id}`);
    } finally {
      audit.append = append;
    }
    await h.app.services.background.drain();

    expect((await h.app.store.get(newer))!.state).toBe('succeeded');
    expect(assignmentsOn(contosoId)).toHaveLength(1);
    // One DELETE, the other instance's: its `deleted` entry, none from the woken run.
    expect((await actions(first.id)).filter((a) => a === 'access.revoke.roleAssignment:deleted')).toHaveLength(1);
  });
});
