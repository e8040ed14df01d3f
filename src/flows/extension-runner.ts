/**
 * Runs an approved extension of a grant (G17): nothing is re-created in Azure; once no
 * revocation holds the access lease, the run checks that the original request still holds its
 * access, is not being revoked and was not removed outside acrbot (drift, seen after the
 * extension was approved; access-lease.ts), and the end moves when the extension
 * succeeds ({@link AccessLifecycle}). Other grants go to the normal runner. A secret's extension
 * is a normal secret run (a new credential into the same secret, the old one deleted: rotation)
 * under the same check (secret-extension-runner.ts).
 */
import { formatUtc } from '../domain/access-term';
import type { RequestStore } from '../domain/ports';
import type { AccessRequest, Outcome } from '../domain/request';
import { type AccessLeases, activeOriginalOnceNoRevocation } from './access-lease';
import type { PlanRunner, RunContext } from './executor';

/** Grant runner that handles extensions without writing to Azure. */
export class ExtensionAwareGrantRunner implements PlanRunner {
  constructor(
    private readonly grants: PlanRunner,
    private readonly store: RequestStore,
    private readonly leases: AccessLeases,
  ) {}

  async run(request: AccessRequest, ctx: RunContext): Promise<Outcome> {
    if (!request.extendsRequestId) return this.grants.run(request, ctx);
    const original = await activeOriginalOnceNoRevocation(this.leases, this.store, request);
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
