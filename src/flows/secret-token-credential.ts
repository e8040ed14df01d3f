/**
 * A `--kind token` secret run's credential: an ACR token (on a scope map of its own when the plan
 * names repositories) and its password. Only what this request's records vouch for is reused or
 * deleted; a token or scope map of the planned name made by someone else is refused (G15).
 */
import { isRefusalStatus } from '../domain/azure-answer-class';
import { UserFacingError } from '../domain/errors';
import type { SecretPlan } from '../domain/plan';
import { CloudApiError, type RegistryTokenPort } from '../domain/ports';
import type { AccessRequest } from '../domain/request';
import { type CredentialRef, scopeMapNameFor, tokenNameFor } from '../domain/secret-credential';
import { disabledTokenSentence, registryQuotaSentence } from './azure-failure-text';
import type { RunContext } from './executor';
import type { Credential } from './secret-run-credential';

/** How far a `--kind token` run's credential step got, for what its failure says. */
export interface TokenProgress {
  /** The token was there already (a resumed run's, recorded by an earlier attempt). */
  tokenExisted: boolean;
  /** Azure refused this run's token create, and none was there before: only a scope map may exist. */
  tokenRefused: boolean;
}

/**
 * Creates a `--kind token` run's credential: its scope map (with repositories), its token and a
 * password, each recorded before it is written (G15) and pushed on `refs` for the clean-up, after
 * refusing a token or scope map of the planned name that acrbot's records do not vouch for.
 * `unanswered` collects the references whose create Azure did not answer, `progress` how far it got.
 */
export async function createToken(
  tokens: RegistryTokenPort,
  request: AccessRequest,
  plan: SecretPlan,
  ctx: RunContext,
  refs: CredentialRef[],
  unanswered: Set<CredentialRef>,
  progress: TokenProgress,
): Promise<Credential> {
  const registry = plan.registry;
  const tokenName = tokenNameFor(request.id);
  const requestIds: string[] = [];
  const scopeMapName = plan.repositories.length ? scopeMapNameFor(request.id) : undefined;
  const ref: Extract<CredentialRef, { kind: 'token' }> = {
    kind: 'token',
    subscriptionId: registry.subscriptionId,
    resourceGroup: registry.resourceGroup,
    registry: registry.name,
    tokenName,
    scopeMapName,
  };
  // A token or scope map with the planned name that acrbot's records do not vouch for is not
  // ours: replacing it would take it over (its other passwords stay valid) and a clean-up would
  // delete it. Only what an earlier attempt of this same request recorded may already exist (a
  // run resumed after a crash); the name, prefix and request id included, proves nothing (G15).
  const earlier = ctx.created();
  const recorded = (kind: 'acrToken' | 'scopeMap', name: string) =>
    earlier.some((o) => o.kind === kind && o.name === name);
  const foreign: { what: string; id: string } | undefined =
    scopeMapName && !recorded('scopeMap', scopeMapName) && (await tokens.getScopeMap(registry, scopeMapName))
      ? { what: `scope map ${scopeMapName}`, id: `${registry.id}/scopeMaps/${scopeMapName}` }
      : !recorded('acrToken', tokenName) && (await tokens.getToken(registry, tokenName))
        ? { what: `token ${tokenName}`, id: `${registry.id}/tokens/${tokenName}` }
        : undefined;
  if (foreign) {
    await ctx.audit({
      action: 'azure.write.token',
      outcome: 'refused',
      targetIds: [foreign.id],
      detail: `an ACR ${foreign.what} already exists and is not recorded as created by this request`,
    });
    throw new UserFacingError(
      'azure.credentialNotOurs',
      `An ACR ${foreign.what} already exists on registry ${registry.name}, and acrbot's records do not say acrbot created it, so acrbot will not take it over or delete it. Nothing was created; the platform team should look at who made it.`,
    );
  }
  // Recorded before the write, in the store and for this run: if the process dies mid-way, the
  // clean-up knows what to look for, and only what is recorded is ever deleted (G15).
  if (scopeMapName)
    await ctx.recordCreated({ kind: 'scopeMap', id: `${registry.id}/scopeMaps/${scopeMapName}`, name: scopeMapName });
  await ctx.recordCreated({ kind: 'acrToken', id: `${registry.id}/tokens/${tokenName}`, name: tokenName });
  refs.push(ref);
  // A resumed run's token (an earlier attempt recorded it): as it is now, before any write. One
  // someone disabled since is not enabled again by a PUT asking for `enabled` (G15).
  const earlierToken = recorded('acrToken', tokenName)
    ? await tokens.getToken(registry, tokenName).catch((err: unknown) => {
        // As after a create Azure did not answer: the earlier attempt's token may be there.
        if (!(err instanceof CloudApiError && isRefusalStatus(err.statusCode))) unanswered.add(ref);
        throw err;
      })
    : undefined;
  if (earlierToken) progress.tokenExisted = true;
  if (earlierToken?.status !== undefined && earlierToken.status !== 'enabled')
    await refuseDisabledToken(registry, tokenName, earlierToken.status, true, ctx);
  // Only a refusal says the create changed nothing. One past its deadline may still be running
  // in Azure, and one whose answer was lost may have landed: not found is no proof of gone.
  const noteUnanswered = async <T>(write: () => Promise<T>, what: 'token' | 'scope map'): Promise<T> =>
    write().catch((err: unknown) => {
      if (!(err instanceof CloudApiError && isRefusalStatus(err.statusCode))) unanswered.add(ref);
      else if (what === 'token' && !progress.tokenExisted) progress.tokenRefused = true;
      const atQuota =
        err instanceof CloudApiError &&
        registryQuotaSentence(err, registry.name, what, {
          extension: !!request.extendsRequestId,
          repositories: plan.repositories.length > 0,
        });
      throw atQuota ? new UserFacingError('azure.registryQuota', atQuota, { cause: err }) : err;
    });
  const scopeMap = await noteUnanswered(
    () => tokens.scopeMapFor(registry, scopeMapName ?? '', plan.repositories),
    'scope map',
  );
  if (scopeMap.requestId) requestIds.push(scopeMap.requestId);
  // The earlier attempt's token, enabled and on this scope map, is left as it is: no second
  // PUT and no second "created" entry. Anything else of it (still being written, another
  // scope map, a status not given) is PUT again, as a create would.
  const reusable =
    earlierToken?.status === 'enabled' &&
    (earlierToken.provisioningState ?? 'Succeeded') === 'Succeeded' &&
    earlierToken.scopeMapId?.toLowerCase() === scopeMap.id.toLowerCase();
  const token = reusable
    ? { id: earlierToken.id }
    : await noteUnanswered(() => tokens.createToken(registry, tokenName, scopeMap.id), 'token');
  // One key for this token's "created" entry, in the first attempt and any resumed one: an
  // attempt that died mid-PUT left a token the resumed run reuses without writing it, and the
  // trail must still say it was created before it says a password was generated for it.
  // Names, not the token's ARM path: a key is at most IDEMPOTENCY_KEY_MAX (128) characters,
  // and this one stays under it (ids of 10, registry and token names of at most 50 each).
  // A reused token's entry is not written again when the earlier attempt's own is there (same key).
  if ('requestId' in token && token.requestId) requestIds.push(token.requestId);
  // When Azure made it, as ARM answered the create (a PUT on the earlier attempt's token keeps its
  // date), else as the read of the one reused: kept with the reference the outcome records, so
  // the revocation tells this token from one deleted and made again under its name (G15). Set on
  // the reference already in `refs`, which the clean-up records with a failure.
  const creationDate = ('creationDate' in token && token.creationDate) || earlierToken?.creationDate;
  if (creationDate) ref.creationDate = creationDate;
  await ctx.audit({
    action: 'azure.write.token',
    outcome: 'created',
    targetIds: [token.id],
    correlationIds: requestIds,
    ...(reusable && { detail: 'created by an earlier attempt of this run; found enabled on its scope map' }),
    idempotencyKey: `acr-token:${ctx.requestId}:${registry.name}:${tokenName}`.toLowerCase(),
  });
  // Azure answered success, but a policy may have made the token disabled: its password would
  // not sign in, so none is generated (the clean-up deletes the token; an extension keeps the
  // credential its secret holds).
  if ('status' in token && token.status !== undefined && token.status !== 'enabled')
    await refuseDisabledToken(registry, tokenName, token.status, false, ctx);
  const generated = await tokens.generatePassword(registry, token.id, plan.expiresAt);
  if (generated.requestId) requestIds.push(generated.requestId);
  await ctx.audit({
    action: 'azure.write.generateCredentials',
    outcome: 'password1',
    targetIds: [token.id],
    correlationIds: generated.requestId ? [generated.requestId] : [],
    detail: `expires ${plan.expiresAt}`,
  });
  return { username: generated.username, password: generated.password, ref, id: token.id, requestIds };
}

/**
 * Audits and throws the refusal of a token that is not `enabled` (`status`): ACR created it
 * so (`resumed` false: a policy, see {@link disabledTokenSentence}) or it was found so when a
 * resumed run came back to it. Thrown before any password is generated or secret written.
 */
async function refuseDisabledToken(
  registry: SecretPlan['registry'],
  tokenName: string,
  status: string,
  resumed: boolean,
  ctx: RunContext,
): Promise<never> {
  await ctx.audit({
    action: 'azure.write.token',
    outcome: 'refused',
    targetIds: [`${registry.id}/tokens/${tokenName}`],
    detail: resumed ? 'token found disabled when the run resumed' : 'token created disabled (an Azure Policy?)',
  });
  throw new UserFacingError('azure.tokenDisabled', disabledTokenSentence(registry.name, tokenName, status, resumed));
}
