/**
 * Runs an approved extension of a grant (G17): nothing is re-created in Azure; once no
 * revocation holds the access lease, the run checks that the original request still holds its
 * access, is not being revoked and was not removed outside acrbot (drift, seen after the
 * extension was approved; access-lease.ts); then the plan is re-checked as a grant's is before
 * its PUT ({@link GrantRecheck}: same identity, same registry mode, same refusals), as the
 * extension prolongs the role assignment of the planned identity, which may no longer be the
 * cluster's (a user-assigned kubelet identity moved to another cluster). Last, the original's
 * role assignment is read on the registry as the drift sweep reads it: deleted or changed outside
 * acrbot since the last sweep (a registry deleted and made again under the same name passes the
 * re-check), the drift is recorded there and then and the extension refused as a drifted one
 * (`extend.drifted`), instead of saying "Extended" while the cluster cannot pull. The end moves
 * when the extension succeeds ({@link AccessLifecycle}). Other grants go to the normal runner. A
 * secret's extension is a normal secret run (a new credential into the same secret, the old one
 * deleted: rotation) under the same check (secret-extension-runner.ts).
 */
import { formatUtc } from '../domain/access-term';
import { driftedExtensionRefusal } from '../domain/drifted-access';
import type { GrantPlan } from '../domain/plan';
import type { RequestStore } from '../domain/ports';
import type { AccessRequest, Outcome } from '../domain/request';
import { type AccessLeases, activeOriginalOnceNoRevocation } from './access-lease';
import type { DriftDetector } from './drift-detector';
import type { PlanRunner, RunContext } from './executor';
import type { GrantRecheck } from './grant-runner';

/** Grant runner that handles extensions without writing to Azure. */
export class ExtensionAwareGrantRunner implements PlanRunner {
  constructor(
    /** The grant runner: runs what is not an extension, and re-checks an extension's plan. */
    private readonly grants: PlanRunner & GrantRecheck,
    private readonly store: RequestStore,
    private readonly leases: AccessLeases,
    /** Reads the original's assignment now, between drift sweeps, and records drift it finds. */
    private readonly drift: Pick<DriftDetector, 'assignmentDrift'>,
  ) {}

  async run(request: AccessRequest, ctx: RunContext): Promise<Outcome> {
    if (!request.extendsRequestId) return this.grants.run(request, ctx);
    const original = await activeOriginalOnceNoRevocation(this.leases, this.store, request);
    // Before "extended" is said: a refusal (`recheck.*`) fails the extension, and the original's
    // end stays where it was; nothing is written to Azure either way.
    await this.grants.recheck(request.plan as GrantPlan, 'the access was not extended and ends as before');
    // The store knows of drift only once a sweep saw it (up to ACRBOT_DRIFT_INTERVAL later).
    const drifted = await this.drift.assignmentDrift(original, 'extension').catch((err: unknown) => {
      throw new Error(
        `could not read the role assignments on registry ${original.plan.registry.name} to check that ${original.id} still holds its access; it was not extended and ends as before`,
        { cause: err },
      );
    });
    const refusal = drifted && driftedExtensionRefusal(drifted);
    if (refusal) throw refusal;
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
}
