/**
 * Runs a secret request; an extension only while its original still holds its access (G17). An
 * extension approved after its original was revoked must not bring the access back: the secret
 * runner would create a new credential and write it into the secret the revocation removed. The
 * check waits until no revocation holds the access lease (access-lease.ts). A resumed extension
 * refused there deletes the credential its earlier attempt recorded, as any resumed secret run
 * refused before its credential step does. An extension whose rotation fails says that its
 * original's access was not extended and when it still ends, as a failed grant extension does
 * (extension-runner.ts), and with a way on an extension can follow where a new secret's would
 * not (another `--name`, another `--namespace`: secret-extension-way-on.ts).
 */
import { formatUtc } from '../domain/access-term';
import { isUserFacing, UserFacingError } from '../domain/errors';
import type { RequestStore } from '../domain/ports';
import type { AccessRequest, Outcome } from '../domain/request';
import { type AccessLeases, activeOriginalOnceNoRevocation } from './access-lease';
import { type PlanRunner, type RunContext, RunFailure } from './executor';
import { extensionWayOn } from './secret-extension-way-on';
import type { SecretRunner } from './secret-runner';

/** Secret runner that refuses an extension whose original no longer has access (then rotates as usual). */
export class ExtensionAwareSecretRunner implements PlanRunner {
  constructor(
    private readonly secrets: Pick<SecretRunner, 'run' | 'refuseBeforeChecks'>,
    private readonly store: RequestStore,
    private readonly leases: AccessLeases,
  ) {}

  async run(request: AccessRequest, ctx: RunContext): Promise<Outcome> {
    if (!request.extendsRequestId) return this.secrets.run(request, ctx);
    let original: AccessRequest;
    try {
      original = await activeOriginalOnceNoRevocation(this.leases, this.store, request);
    } catch (err) {
      // The original no longer holds its access: there is no end to say it keeps.
      return this.secrets.refuseBeforeChecks(err, request, ctx);
    }
    try {
      return await this.secrets.run(request, ctx);
    } catch (err) {
      throw notExtended(err, request, original);
    }
  }
}

/**
 * A failed rotation's error with the sentence that the original's access is untouched: the
 * requester reads "the request failed" on the extension's card and must not take it for the end
 * of the access they still have. Its way on is one `extension` can follow ({@link extensionWayOn}).
 * Only failures (a {@link RunFailure}, a {@link UserFacingError}); anything else (an interrupted
 * run, a lost lease, an unexpected error) goes on as it is, for the executor to treat as before.
 */
function notExtended(err: unknown, extension: AccessRequest, original: AccessRequest): unknown {
  const end = original.access?.expiresAt;
  const sentence = `Access of ${original.id} was not extended${end ? `; it still ends at ${formatUtc(end)}` : ''}.`;
  if (err instanceof RunFailure) {
    const error = extensionWayOn(err.outcome.error ?? 'The extension failed.', err.outcome.errorCode, extension);
    return new RunFailure({ ...err.outcome, error: `${error} ${sentence}` });
  }
  if (isUserFacing(err))
    return new UserFacingError(err.code, `${extensionWayOn(err.message, err.code, extension)} ${sentence}`, {
      cause: err,
    });
  return err;
}
