/**
 * A token under the name of acrbot's ACR token that acrbot's records do not vouch for (G15):
 * deleted and made again under that name (by a person, a script), which the name alone cannot
 * tell. acrbot records when Azure made its own token (the outcome's `credentialRef`); every path
 * that deletes a token by its recorded name (the revocation, a rotation's retirement, the clean-up
 * job, a failed run's clean-up) reads it first and leaves one Azure dates otherwise, with the
 * scope map it may use, for an operator. Here: that read, and how such a token is said.
 */
import { createHash } from 'node:crypto';
import type { RegistryTokenPort, RegistryTokenRead } from '../domain/ports';
import type { AccessRequest } from '../domain/request';
import { type CredentialRef, sameTokenCreation } from '../domain/secret-credential';
import { recordedTokenCreation } from '../domain/secret-ownership';
import type { Logger } from '../observability/logger';
import type { TokenRead } from './credential-deletion';
import type { LifecycleMessenger } from './lifecycle-messenger';

/**
 * When Azure made the token a pending reference names, as acrbot recorded it: the date the
 * reference carries itself (a failed run records it with the reference, once its create answered),
 * else the one `owner`'s outcome recorded for it ({@link recordedTokenCreation}). Undefined when
 * neither does: the token is then told by its name alone, as before.
 */
export function recordedCreationOf(ref: CredentialRef, owner?: AccessRequest): string | undefined {
  if (ref.kind !== 'token') return undefined;
  if (typeof ref.creationDate === 'string') return ref.creationDate;
  return owner ? recordedTokenCreation(owner, ref) : undefined;
}

/**
 * Reads the token `ref` names when acrbot recorded its date (`created`), as the revocation does:
 * `foreign` is the token found there when Azure dates it otherwise, or not at all
 * ({@link sameTokenCreation}); `tokenRead` is the read, to hand to `deleteCredential` so ARM is
 * asked once. Without a recorded date nothing is read here (the deletion reads it, by its name).
 */
export async function checkTokenCreation(
  tokens: RegistryTokenPort,
  ref: CredentialRef,
  created: string | undefined,
): Promise<{ tokenRead?: TokenRead; foreign?: RegistryTokenRead }> {
  if (ref.kind !== 'token' || created === undefined) return {};
  // A read that fails throws: the caller is retried rather than delete what acrbot cannot tell
  // is its own.
  const registry = { subscriptionId: ref.subscriptionId, resourceGroup: ref.resourceGroup, name: ref.registry };
  const found = await tokens.getToken(registry, ref.tokenName);
  const tokenRead: TokenRead = { found };
  return found && !sameTokenCreation(created, found.creationDate) ? { tokenRead, foreign: found } : { tokenRead };
}

/** A token acrbot leaves in place as not its own (G15): the one found, and its entry's detail. */
export interface LeftToken {
  found: RegistryTokenRead;
  /** {@link leftTokenDetail}: what the caller's `notOurs` entry says of it. */
  detail: string;
}

/**
 * G15's check before a deletion by a recorded name (the revocation, a rotation's retirement, the
 * clean-up job, a failed run's clean-up): {@link checkTokenCreation}, and for a token Azure dates
 * otherwise than acrbot recorded (`created`), the warning ({@link logForeignToken}, under
 * `requestId`) and the detail of the caller's entry (`left`). With `left`, neither the token nor
 * the scope map it may use is deleted; without it, `tokenRead` goes to `deleteCredential` so ARM
 * is asked once. A read that fails throws, as there.
 */
export async function checkOwnToken(
  deps: { tokens: RegistryTokenPort; log: Logger },
  requestId: string,
  ref: CredentialRef,
  created: string | undefined,
): Promise<{ tokenRead?: TokenRead; left?: LeftToken }> {
  const { tokenRead, foreign } = await checkTokenCreation(deps.tokens, ref, created);
  if (!foreign) return { tokenRead };
  logForeignToken(deps.log, requestId, ref, foreign, created);
  // A token is foreign only against a recorded date (checkTokenCreation).
  return { tokenRead, left: { found: foreign, detail: leftTokenDetail(ref, foreign, created!) } };
}

/** Whether Azure dates the token (the API leaves the date optional). */
const isDated = (found: RegistryTokenRead): boolean =>
  found.creationDate !== undefined && Number.isFinite(Date.parse(found.creationDate));

/**
 * How a token under acrbot's token's name that acrbot's records do not vouch for is said in an
 * entry: dated otherwise than acrbot's (`created`, when recorded), or made since the mark, or
 * undated (the API leaves the date optional).
 */
export function foreignTokenWords(ref: CredentialRef, found: RegistryTokenRead, created: string | undefined): string {
  const name = ref.kind === 'token' ? ref.tokenName : '';
  const dated = isDated(found);
  const when = !dated ? 'undated' : created === undefined ? 'made since' : `made ${found.creationDate}`;
  const own = created === undefined ? '' : ` (acrbot made its own ${created})`;
  return `a token under its name now (${name}), ${when}, is not one acrbot's records vouch for${own}`;
}

/**
 * The detail of a `notOurs` entry of a token left in place (with the scope map it may use): what
 * the revocation's entry says and the clean-ups' say after their own prefix.
 */
function leftTokenDetail(ref: CredentialRef, found: RegistryTokenRead, created: string): string {
  const map = ref.kind === 'token' && ref.scopeMapName;
  return `acrbot's token is not there: ${foreignTokenWords(ref, found, created)}; left in place for an operator${map ? ` (and acrbot's scope map ${map}, which it may use)` : ''}; nothing deleted`;
}

/**
 * The idempotency key of request `requestId`'s `credential.cleanup` `notOurs` entry saying
 * `detail`: the same for a failed run's clean-up and the clean-up job that find the same token, so
 * the fact is in the audit log once whoever records it. Hashed: the detail is free text.
 */
export function leftTokenKey(requestId: string, detail: string): string {
  return `credential.cleanup.notOurs:${requestId}:${createHash('sha256').update(detail).digest('hex').slice(0, 32)}`;
}

/**
 * Logs a token under acrbot's token's name that acrbot leaves in place (G15). `created`: the date
 * acrbot recorded for its own (then the token found is dated otherwise); undefined when a retry
 * found one made from an earlier attempt's mark on, or undated.
 */
export function logForeignToken(
  log: Logger,
  requestId: string,
  ref: CredentialRef,
  found: RegistryTokenRead,
  created: string | undefined,
): void {
  if (ref.kind !== 'token') return;
  log.warn(
    { requestId, token: ref.tokenName, dated: isDated(found), recordedDate: created !== undefined },
    created === undefined
      ? 'a token is under the name of a credential acrbot deleted; left in place for an operator'
      : "a token under the name of acrbot's is not the one acrbot made; left in place for an operator",
  );
}

/**
 * Tells the approvers once of a token under acrbot's token's name that a revocation leaves in
 * place (G15), once it is logged ({@link checkOwnToken}, {@link logForeignToken}): what to check,
 * and to delete it if nobody needs it. `created` as for {@link logForeignToken}.
 */
export async function tellForeignToken(
  messenger: LifecycleMessenger,
  request: AccessRequest,
  ref: CredentialRef,
  found: RegistryTokenRead,
  created: string | undefined,
): Promise<void> {
  if (ref.kind !== 'token') return;
  const dated = isDated(found);
  const where = `a token named ${ref.tokenName} on ${ref.registry}`;
  const what =
    created === undefined
      ? `${where}, ${dated ? 'made after' : 'undated, found after'} an earlier attempt of it had begun deleting acrbot's token of that name`
      : `${where} that is not the one acrbot made for it: Azure dates it ${dated ? found.creationDate : 'not at all'}, acrbot recorded ${created} for its own`;
  const map =
    created !== undefined && ref.scopeMapName ? ` (acrbot's scope map ${ref.scopeMapName} too, which it may use)` : '';
  await messenger.reportToApprovers(
    request,
    `The revocation of ${request.id} found ${what}. acrbot's records do not vouch for this one, so it was left in place${map}: check it, and delete it if nobody needs it${created === undefined && !dated ? " (it is acrbot's own if that deletion did not go through)" : ''}.`,
  );
}

/**
 * The operator-facing sentence, in a request's stored outcome (and so on its cards), of a token
 * a clean-up left in place: `whose` names the credential ("the credential of R-…, which it
 * replaced", "the credential it had created", "the token now under the name T").
 */
export function leftTokenSentence(whose: string): string {
  return `acrbot did not delete ${whose}: the token under its name is not the one acrbot made, as Azure dates it (audit log: credential.cleanup, notOurs). It was left in place, as was any scope map of acrbot's it may use: an operator must check it and delete it if nobody needs it.`;
}

/** {@link leftTokenSentence} of the credential of `replacedId`, which a rotation replaced. */
export function leftReplacedTokenSentence(replacedId: string): string {
  return leftTokenSentence(`the credential of ${replacedId}, which it replaced`);
}
