/**
 * Runs an approved extension of a grant (G17): nothing is re-created in Azure; the run checks
 * that the original request still holds its access and the end moves when the extension
 * succeeds ({@link AccessLifecycle}). Other grants go to the normal runner. A secret's
 * extension is a normal secret run (a new credential into the same secret, the old one deleted:
 * rotation) under the same check ({@link activeOriginal}; secret-extension-runner.ts).
 */
import { UserFacingError } from '../domain/errors';
import type { Lease, LeaseStore, RequestStore } from '../domain/ports';
import type { AccessRequest, Outcome } from '../domain/request';
import { formatUtc } from '../domain/access-term';
import type { GrantPlan } from '../domain/plan';
import { realSleep, type Sleep } from './assign-role';
import type { PlanRunner, RunContext } from './executor';

/** The lease a revocation of a role assignment holds (AccessLifecycle), taken here too. */
export const assignmentLeaseKey = (roleAssignmentName: string): string => `assignment:${roleAssignmentName}`;

/** How long the check waits for a revocation of the same assignment to finish (past the lease's 60 s TTL). */
const ASSIGNMENT_WAIT_MS = 75_000;

/** Grant runner that handles extensions without writing to Azure. */
export class ExtensionAwareGrantRunner implements PlanRunner {
  constructor(
    private readonly grants: PlanRunner,
    private readonly store: RequestStore,
    private readonly leases: { store: LeaseStore; owner: string; sleep?: Sleep },
  ) {}

  async run(request: AccessRequest, ctx: RunContext): Promise<Outcome> {
    if (!request.extendsRequestId) return this.grants.run(request, ctx);
    const original = await this.originalUnderAssignmentLease(request);
    await ctx.audit({
      action: 'access.extend.checked',
      outcome: 'active',
      targetIds: [request.plan.cluster.id, request.plan.registry.id],
      detail: `extends ${original.id}; nothing re-created`,
    });
    const until = original.access?.expiresAt ? ` (was until ${formatUtc(original.access.expiresAt)})` : '';
    return {
      summary: `Extended the access of ${original.id}${until}; nothing was re-created in Azure.`,
      azureRequestIds: [],
      alreadyPresent: true,
    };
  }

  /**
   * The original, checked under the lease its revocation holds from its first look at running
   * extensions until it is marked revoked (AccessLifecycle.revoke). So the check sees either
   * the original revoked (this run fails: `extend.notActive`) or a revocation that has not
   * begun: that one finds this extension executing, or succeeded and holding the assignment,
   * and never deletes the assignment under an extension about to say "succeeded".
   */
  private async originalUnderAssignmentLease(extension: AccessRequest): Promise<AccessRequest> {
    const key = assignmentLeaseKey((extension.plan as GrantPlan).roleAssignmentName);
    const owner = `${this.leases.owner}|${extension.id}`;
    const sleep = this.leases.sleep ?? realSleep;
    let lease: Lease | undefined;
    for (let waitedMs = 0, delayMs = 50; ; waitedMs += delayMs, delayMs = Math.min(delayMs * 2, 1_000)) {
      lease = await this.leases.store.acquire(key, owner, 60_000);
      if (lease) break;
      if (waitedMs >= ASSIGNMENT_WAIT_MS)
        throw new UserFacingError(
          'extend.revocationRunning',
          `A revocation of the access ${extension.extendsRequestId} grants is still running, so it cannot be extended now; ask again once it is done.`,
        );
      await sleep(delayMs);
    }
    try {
      return await activeOriginal(this.store, extension.extendsRequestId!);
    } finally {
      await this.leases.store.release(lease);
    }
  }
}

/** The original of an extension, still holding its access; a user-facing refusal otherwise. */
export async function activeOriginal(store: RequestStore, originalId: string): Promise<AccessRequest> {
  const original = await store.get(originalId);
  if (!original || original.state !== 'succeeded')
    throw new UserFacingError(
      'extend.notActive',
      `Request ${originalId} no longer has active access, so there is nothing to extend; ask for a new request instead.`,
    );
  return original;
}
