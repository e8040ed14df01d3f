/**
 * What a secret run says: the sentence for an Azure refusal of its credential step, the
 * credential and its expiry as the outcome names them, and the log line behind a user-facing
 * failure (the card only points at acrbot's logs).
 */
import { formatUtc } from '../domain/access-term';
import type { SecretPlan } from '../domain/plan';
import { UserFacingError } from '../domain/errors';
import { causesOf } from '../domain/error-causes';
import type { CloudApiError } from '../domain/ports';
import type { AccessRequest } from '../domain/request';
import type { CredentialRef } from '../domain/secret-credential';
import type { RunContext } from './executor';
import {
  armCode,
  azureLookupIds,
  linkedAuthorizationSentence,
  roleAssignmentLimitSentence,
} from './azure-failure-text';

/**
 * The sentence for an Azure or Graph error of the credential step: what was refused, and who can
 * change it, or that no answer came (the clean-up note that follows says what becomes of it).
 */
export function explainCreateFailure(err: CloudApiError, plan: SecretPlan): UserFacingError {
  // ARM refuses a `--kind sp` run only its role assignment (Graph's refusals have codes of their
  // own): the registry's token rights have nothing to do with it.
  if (err.code === 'AuthorizationFailed' && plan.credentialKind === 'sp')
    return new UserFacingError(
      'bot.cannotAssignRole',
      `acrbot's identity may not give the new service principal ${plan.role?.name ?? 'pull'} on registry ${plan.registry.name} (Microsoft.Authorization/roleAssignments/write). Ask an Owner of the registry to add it to managedRegistries and redeploy, or to give acrbot's identity Role Based Access Control Administrator there with the condition in docs/deploy.md; or ask for --kind token (the default), which needs no role assignment.`,
    );
  if (err.code === 'AuthorizationFailed')
    return new UserFacingError(
      'bot.cannotCreateCredential',
      `acrbot's identity may not create the credential on registry ${plan.registry.name}; ask the platform team to give it rights on Microsoft.ContainerRegistry/registries/tokens and generateCredentials there (docs/deploy.md), or ask for --kind sp.`,
    );
  if (err.code === 'LinkedAuthorizationFailed')
    return new UserFacingError(
      'bot.linkedAuthorizationFailed',
      linkedAuthorizationSentence(err, {
        refused: `to create the credential on registry ${plan.registry.name}`,
        retry: 'ask again',
      }),
    );
  if (err.code === 'Authorization_RequestDenied')
    return new UserFacingError(
      'bot.cannotCreateApplication',
      'acrbot may not create Entra applications; ask the platform team to give its identity the Graph application permission Application.ReadWrite.OwnedBy, or ask for --kind token (the default), which needs no directory rights.',
    );
  if (plan.role && err.code === 'RoleAssignmentUpdateNotPermitted')
    return new UserFacingError(
      'azure.assignmentConflict',
      `A different role assignment already uses acrbot's name for the new service principal's ${plan.role.name} on registry ${plan.registry.name}; ask the platform team to check the registry's role assignments.`,
    );
  // The service principal exists by then: only its role assignment was refused, at a limit that
  // asking again does not lift. The clean-up note that follows says whether the deletion is done.
  if (plan.role && err.code === 'RoleAssignmentLimitExceeded')
    return new UserFacingError(
      'azure.roleAssignmentLimit',
      roleAssignmentLimitSentence(err, {
        refused: `acrbot created the credential, a service principal, but Azure refused to give it ${plan.role.name} on registry ${plan.registry.name}`,
        registry: plan.registry.name,
        outcome: 'Without that role the service principal is of no use, so acrbot deletes it again.',
        meanwhile: 'Ask for --kind token (the default) instead, which needs no role assignment.',
        retry: '--kind sp secrets work again there',
      }),
    );
  // Graph, creating the application or its service principal: the creator's own quota (each live
  // --kind sp secret uses it twice, a deleted object until it is purged), or the tenant's, under
  // the same code; only Graph's sentence ("…for the Principal…" / "…for the Tenant…") tells which.
  if (err.code === 'Directory_QuotaExceeded')
    return new UserFacingError('graph.directoryQuota', directoryQuotaSentence(err));
  if (plan.role && err.code === 'PrincipalNotFound')
    return new UserFacingError(
      'azure.principalNotFound',
      `Azure still did not know the new service principal after retrying for about two minutes (directory replication); ask for it again in a few minutes (the new request needs approving again).`,
    );
  // No status: no answer came (a lost connection, a deadline, an operation still running), so
  // nothing says Azure refused; the clean-up note that follows says what becomes of it.
  if (err.statusCode === undefined)
    return new UserFacingError(
      'azure.writeUnconfirmed',
      `Azure did not confirm creating the credential (${armCode(err.code)}): its answer was lost or did not come in time; the platform team can look it up with ${azureLookupIds(err)}.`,
    );
  // A success status whose body could not be read (arm-registry-tokens.ts): Azure may well have
  // done it, generateCredentials included, so it is not called a refusal.
  if (err.statusCode < 300)
    return new UserFacingError(
      'azure.writeUnconfirmed',
      `Azure answered the creation of the credential, but its answer could not be read (${armCode(err.code)}), so whether the credential was created is not known; the platform team can look it up with ${azureLookupIds(err)}.`,
    );
  return new UserFacingError(
    'azure.writeFailed',
    `Azure refused to create the credential (${armCode(err.code)}); the platform team can look it up with ${azureLookupIds(err)}.`,
  );
}

/** Whose directory object quota Graph says is full, by its own sentence; undefined: not said. */
function directoryQuotaOwner(err: CloudApiError): 'principal' | 'tenant' | undefined {
  const said = graphServiceMessage(err);
  if (/\bfor the tenant\b/i.test(said)) return 'tenant';
  if (/\bfor the principal\b/i.test(said)) return 'principal';
  return undefined;
}

/**
 * Graph's own sentence behind `err` (GraphError's `serviceMessage`, the cause of the ports'
 * error), looked for along the cause chain: flows may not import the Graph client's types.
 */
function graphServiceMessage(err: unknown): string {
  for (const e of causesOf(err)) {
    // Only Errors carry it: a cause that is not one ends the search.
    if (!(e instanceof Error)) break;
    const said = (e as { serviceMessage?: unknown }).serviceMessage;
    if (typeof said === 'string') return said;
  }
  return '';
}

/**
 * `Directory_QuotaExceeded`'s sentence. The ways out stay within least privilege: end unused
 * --kind sp secrets (acrbot purges what it deletes), or, for the tenant's quota, its
 * administrators; never a broader role for acrbot.
 */
function directoryQuotaSentence(err: CloudApiError): string {
  const token = 'Ask for --kind token (the default) instead, which creates no directory object.';
  const lookUp = `find the refusal with ${azureLookupIds(err)}`;
  const owner = directoryQuotaOwner(err);
  if (owner === 'tenant')
    return `The Microsoft Entra tenant is at its directory object quota (Directory_QuotaExceeded, the tenant's quota, not acrbot's own): nobody in it can create an application or a service principal until directory objects are deleted or the quota is raised. ${token} The platform team can ask the tenant's administrators to delete unused directory objects or have the tenant's quota raised, and ${lookUp}.`;
  if (owner === 'principal')
    return `acrbot's identity has created as many Microsoft Entra directory objects as its quota allows (Directory_QuotaExceeded): 250 for a creator that is not an administrator, deleted ones counted until they are purged (up to 30 days), and each --kind sp secret holds two, an application and its service principal. ${token} The platform team can end --kind sp secrets nobody uses (revoke them: acrbot purges what it deletes, which frees the quota), and ${lookUp}.`;
  return `acrbot's identity (250 objects without an administrator role) or the tenant is at its Microsoft Entra directory object quota (Directory_QuotaExceeded); deleted objects count until they are purged (up to 30 days), and each --kind sp secret holds two, an application and its service principal. ${token} The platform team can end --kind sp secrets nobody uses (revoke them: acrbot purges what it deletes), or, if it is the tenant's quota, ask the tenant's administrators, and ${lookUp}.`;
}

/**
 * Logs once what lies behind a user-facing failure that has a cause (a Kubernetes API answer,
 * an unreadable kubeconfig): the card says only "see acrbot's logs", and the executor does not
 * log user-facing errors. Refusals acrbot decided itself have no cause and are audited instead.
 * The causes are built to hold no secret (see kube-errors.ts), so the error is logged whole.
 */
export function logExplainedFailure(err: UserFacingError, ctx: RunContext): void {
  if (err.cause === undefined) return;
  ctx.log.error({ err, code: err.code }, 'secret flow failed');
}

/**
 * The credential as the outcome names it: a token by its name and registry (its ARM resource
 * path is an id for machines, and the outcome is read in the tab's drawer), a service principal
 * by its appId.
 */
export function credentialName(ref: CredentialRef, id: string): string {
  return ref.kind === 'token' ? `ACR token ${ref.tokenName} on registry ${ref.registry}` : `service principal ${id}`;
}

/**
 * What the outcome says about the credential's own expiry. A time-boxed secret's credential is
 * made to outlast its access (the approval wait too), so acrbot deletes it when the access ends,
 * before that moment. Capped by the longest credential lifetime, it may lapse first: then it says so.
 * The access runs from about its decision, so that is where its end is counted from.
 */
export function credentialValidity(request: AccessRequest, plan: SecretPlan): string {
  // The expiry is a moment (now + its lifetime), not a day: a date alone reads up to a day late
  // west of UTC, so it is shown to the minute, in UTC as every end is.
  const at = formatUtc(plan.expiresAt);
  const term = request.access?.permanent ? undefined : request.access?.durationMs;
  if (!term) return `, valid until ${at}`;
  const accessEnd = Date.parse(request.decision?.at ?? request.createdAt) + term;
  return Date.parse(plan.expiresAt) >= accessEnd
    ? `; acrbot deletes it when the access ends (it would lapse by itself at ${at})`
    : `, valid until ${at}, before the access would end: pulls with it stop then unless it is renewed (ask for the secret again)`;
}
