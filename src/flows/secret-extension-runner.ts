/**
 * Runs a secret request; an extension only while its original still holds its access (G17). An
 * extension approved after its original was revoked must not bring the access back: the secret
 * runner would create a new credential and write it into the secret the revocation removed. The
 * check waits until no revocation holds the access lease (access-lease.ts). A resumed extension
 * refused there deletes the credential its earlier attempt recorded, as any resumed secret run
 * refused before its credential step does.
 */
import type { RequestStore } from '../domain/ports';
import type { AccessRequest, Outcome } from '../domain/request';
import { type AccessLeases, activeOriginalOnceNoRevocation } from './access-lease';
import type { PlanRunner, RunContext } from './executor';
import type { SecretRunner } from './secret-runner';

/** Secret runner that refuses an extension whose original no longer has access (then rotates as usual). */
export class ExtensionAwareSecretRunner implements PlanRunner {
  constructor(
    private readonly secrets: Pick<SecretRunner, 'run' | 'refuseBeforeChecks'>,
    private readonly store: RequestStore,
    private readonly leases: AccessLeases,
  ) {}

  async run(request: AccessRequest, ctx: RunContext): Promise<Outcome> {
    if (request.extendsRequestId) {
      try {
        await activeOriginalOnceNoRevocation(this.leases, this.store, request);
      } catch (err) {
        return this.secrets.refuseBeforeChecks(err, request, ctx);
      }
    }
    return this.secrets.run(request, ctx);
  }
}
