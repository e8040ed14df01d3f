/**
 * Runs a secret request; an extension only while its original still holds its access (G17). An
 * extension approved after its original was revoked must not bring the access back: the secret
 * runner would create a new credential and write it into the secret the revocation removed. The
 * check waits until no revocation holds the access lease (access-lease.ts).
 */
import type { RequestStore } from '../domain/ports';
import type { AccessRequest, Outcome } from '../domain/request';
import { type AccessLeases, activeOriginalOnceNoRevocation } from './access-lease';
import type { PlanRunner, RunContext } from './executor';

/** Secret runner that refuses an extension whose original no longer has access (then rotates as usual). */
export class ExtensionAwareSecretRunner implements PlanRunner {
  constructor(
    private readonly secrets: PlanRunner,
    private readonly store: RequestStore,
    private readonly leases: AccessLeases,
  ) {}

  async run(request: AccessRequest, ctx: RunContext): Promise<Outcome> {
    if (request.extendsRequestId) await activeOriginalOnceNoRevocation(this.leases, this.store, request);
    return this.secrets.run(request, ctx);
  }
}
