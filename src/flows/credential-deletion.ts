/**
 * Deletes one credential a reference names (an ACR token with its scope map, or an Entra
 * application with its role assignment), and says what it found. A token or scope map is read
 * before it is deleted: while a write on it is still running in Azure (a create acrbot stopped
 * waiting for at its deadline), a DELETE may be refused, or answered and then overtaken by the
 * create landing after it, leaving a token acrbot's records call deleted. So nothing is deleted
 * then: {@link WRITE_IN_PROGRESS} is thrown and the clean-up tries again later. A role assignment
 * is read before it is deleted too: its recorded name is a predictable UUIDv5, so only the
 * assignment under that name that has the service principal of acrbot's application, the role the
 * name was made for and the recorded scope is deleted (G15), never one made again under the name
 * for another principal or role. A token not found is not taken for gone before its registry is
 * found at its recorded id ({@link RegistryWhereabouts}): a registry moved to another resource
 * group or subscription takes its tokens along, and their passwords still sign in there.
 */
import type { RoleAssignmentInfo } from '../domain/azure-model';
import { ResourceGoneError } from '../domain/errors';
import { CloudApiError, type DeleteResult, type RegistryTokenPort, type RegistryTokenRead } from '../domain/ports';
import { recordedByDerivedName } from '../domain/recorded-assignment';
import type { CredentialRef } from '../domain/secret-credential';
import type { SecretRunnerPorts } from './secret-runner';

/** Code of the {@link CloudApiError} thrown while a token or scope map is still being written. */
export const WRITE_IN_PROGRESS = 'WriteInProgress';

/** ARM's terminal provisioning states: no write on the resource is running. */
const TERMINAL_STATES = new Set(['succeeded', 'failed', 'canceled']);

/** What deleting one credential found. */
export interface CredentialDeletion {
  /**
   * The credential itself (the token, the application) was there, and is deleted now. When it
   * was, what hangs on it and was not found is gone already: its create came first.
   */
  found: boolean;
  /**
   * Names of what was there and is deleted now. A token's parts are labelled (`token x`,
   * `scope map x`: they may share a name); a `--kind sp` credential's are bare names (a role
   * assignment's, the application's object id).
   */
  deleted: string[];
  /**
   * Names of what was not found under its recorded name: gone already, never created, or (after
   * a create Azure did not answer, or an application Graph does not show yet) not visible yet.
   * The caller decides which, by what it knows of the write. Labelled as {@link deleted}.
   */
  notFound: string[];
  /**
   * Names of role assignments found under their recorded name that are not the one acrbot
   * recorded (another role or scope): left in place, for an operator to look at (G15). One of
   * another principal is not listed with acrbot's service principal, so it is in `notFound`,
   * left in place as well.
   */
  notOurs: string[];
  /**
   * Why nothing of a token credential was found, when its registry is not at its recorded id
   * ({@link RegistryWhereabouts}): the registry was deleted, or the registry of its name holds no
   * such token, or (with {@link registryUnconfirmed}) acrbot cannot see where it is.
   */
  registryNote?: string;
  /**
   * Set when acrbot cannot confirm the token is gone: its registry is seen nowhere acrbot can
   * list, and its name is taken elsewhere (or acrbot may not ask). The deletion ends for acrbot's
   * records all the same (never retried for ever over a registry acrbot cannot see, which may not
   * be acrbot's at all); this is the sentence approvers are told once.
   */
  registryUnconfirmed?: string;
  /**
   * The request ids of the DELETEs this call sent, in order, their 404s (gone already) included:
   * ARM's `x-ms-request-id`, Graph's `request-id` (of the application's permanent delete too).
   * What the deletion's audit entry carries, so Azure's Activity Log or Entra's audit log shows
   * the deletion it records. Empty when nothing was sent (nothing found to delete).
   */
  requestIds: string[];
  /** A `--kind sp` application's object id, once known (recorded, or found by its uniqueName). */
  applicationId?: string;
}

/**
 * What a registry token port may also answer (the ARM adapter does), asked after the recorded
 * token was not found: a 404 on it says as much when the token is gone from its registry as when
 * the registry itself is not at its recorded id, moved to another resource group or subscription
 * with its tokens, whose passwords still sign in there.
 */
export interface RegistryWhereabouts {
  /**
   * Undefined when the registry is at its recorded id (the token is gone from it); else why
   * nothing of the credential is there (`note`), and, when acrbot cannot confirm the token is
   * gone, what approvers are told (`unconfirmed`). Throws when the registry of that name acrbot
   * can see elsewhere holds the token: acrbot acts only on what is at the ids it recorded (G15),
   * so that is for an operator. Without it, a token not found counts as gone.
   */
  missingTokenReason?(
    registry: { subscriptionId: string; resourceGroup: string; name: string },
    missing: { tokenName: string; scopeMapName?: string },
  ): Promise<{ note: string; unconfirmed?: string } | undefined>;
}

/** What a caller of {@link deleteCredential} runs around the DELETE of the credential itself. */
export interface DeletionHooks {
  /** Just before that DELETE (a mark in the audit log); a throw deletes nothing. */
  beforeDelete?: () => Promise<void>;
  /**
   * When a DELETE of the credential or of what hangs on it after the credential's threw (its
   * error given, and `failed`: what it was deleting); never throws itself. What was
   * deleted before it was told to {@link DeletionHooks.deleted}.
   */
  deleteFailed?: (err: unknown, failed: CredentialPart) => Promise<void>;
  /**
   * Each time something is dealt with, before the next step: deleted now (`deleted`, with the
   * request ids of its DELETE), or, for the token, not found at its registry's recorded id. What a
   * caller records of a deletion a later step fails (the DELETEs' ids are in no answer then).
   */
  deleted?: (step: CredentialPart & { deleted: boolean; requestIds: string[] }) => void;
}

/** One part of a credential, as entries name it: `token x`, `scope map y` (a token's may share its name). */
export interface CredentialPart {
  part: 'token' | 'scope map' | 'role assignment' | 'application';
  name: string;
}

/** What a read of the token under a reference's name found (`found` undefined: none). */
export interface TokenRead {
  found: RegistryTokenRead | undefined;
}

/** How {@link deleteCredential} runs: its {@link DeletionHooks}, and a read of the token already made. */
export interface DeletionOptions extends DeletionHooks {
  /**
   * What the caller's read of the token just found (`found` undefined: none under its name):
   * deleted on that read, so the token whose date the caller checked is the one deleted and ARM
   * is asked once. Without it the token is read here first.
   */
  tokenRead?: TokenRead;
}

/**
 * Deletes one credential and what hangs on it: the token before its scope map (the token names
 * the map), the role assignment before its application. Throws {@link WRITE_IN_PROGRESS} when a
 * token or scope map is still being written, before deleting anything more. `beforeDelete` runs
 * just before the DELETE of the credential itself (the token, the application), once it is known
 * to exist or to have been created (a token read first; an application by the id Graph gave, or
 * found under its recorded name); a throw there deletes nothing. `deleteFailed` runs when that
 * DELETE, or the scope map's after it, throws (not on a "not found" answer), before the error
 * goes on: what `beforeDelete` recorded then stands for no more than `deleted` was told. It must
 * not throw.
 */
export async function deleteCredential(
  ports: SecretRunnerPorts,
  ref: CredentialRef,
  options: DeletionOptions = {},
): Promise<CredentialDeletion> {
  const requestIds: string[] = [];
  const found: CredentialDeletion = { found: false, deleted: [], notFound: [], notOurs: [], requestIds };
  const sent = (answer: DeleteResult): void => {
    if (answer.requestId) requestIds.push(answer.requestId);
  };
  const own = async <T>(failed: CredentialPart, send: () => Promise<T>): Promise<T> => {
    try {
      return await send();
    } catch (err) {
      await options.deleteFailed?.(err, failed);
      throw err;
    }
  };
  // The request ids `requestIds` gained since `from`: one step's DELETEs.
  const idsSince = (from: number): string[] => requestIds.slice(from);
  if (ref.kind === 'token') {
    const registry = { subscriptionId: ref.subscriptionId, resourceGroup: ref.resourceGroup, name: ref.registry };
    const { tokens } = ports;
    const token = await deleteRegistryChild(
      `token ${ref.tokenName}`,
      () => (options.tokenRead ? Promise.resolve(options.tokenRead.found) : tokens.getToken(registry, ref.tokenName)),
      async () => {
        await options.beforeDelete?.();
        sent(await own({ part: 'token', name: ref.tokenName }, () => tokens.deleteToken(registry, ref.tokenName)));
      },
    );
    found.found = token;
    // Labelled: a token and its scope map share their name, and entries quote these lists.
    (token ? found.deleted : found.notFound).push(`token ${ref.tokenName}`);
    // Not found: from the registry, or the registry not at its id (the read of its scope map
    // would not find that either, so it is not made).
    const { scopeMapName } = ref;
    const missing = token
      ? undefined
      : await tokens.missingTokenReason?.(registry, { tokenName: ref.tokenName, scopeMapName });
    if (missing) {
      if (scopeMapName) found.notFound.push(`scope map ${scopeMapName}`);
      return {
        ...found,
        registryNote: missing.note,
        ...(missing.unconfirmed && { registryUnconfirmed: missing.unconfirmed }),
      };
    }
    // Gone from the registry at its recorded id: deleted now, or before.
    options.deleted?.({ part: 'token', name: ref.tokenName, deleted: token, requestIds: idsSince(0) });
    if (ref.scopeMapName) {
      const name = ref.scopeMapName;
      const from = requestIds.length;
      // A refusal here comes after the token's DELETE: the caller records both (deleteFailed).
      const map = await deleteRegistryChild(
        `scope map ${name}`,
        () => tokens.getScopeMap(registry, name),
        async () => sent(await own({ part: 'scope map', name }, () => tokens.deleteScopeMap(registry, name))),
      );
      if (map) options.deleted?.({ part: 'scope map', name, deleted: true, requestIds: idsSince(from) });
      (map ? found.deleted : found.notFound).push(`scope map ${name}`);
    }
    return found;
  }
  const assignment = ref.roleAssignment
    ? await deleteOwnAssignment(ports, { appId: ref.appId, recordedId: ref.servicePrincipalId }, ref.roleAssignment)
    : {};
  if (assignment.requestId) requestIds.push(assignment.requestId);
  if (assignment.deleted)
    options.deleted?.({ part: 'role assignment', name: assignment.deleted, deleted: true, requestIds: idsSince(0) });
  const alongside = {
    deleted: assignment.deleted ? [assignment.deleted] : [],
    notFound: assignment.notFound ? [assignment.notFound] : [],
    notOurs: assignment.notOurs ? [assignment.notOurs] : [],
    requestIds,
  };
  // Only the recorded uniqueName is known (see createServicePrincipal): not found is not proof
  // that Graph never created it (replication); the caller decides what not found means.
  const applicationId =
    ref.applicationId || (ref.uniqueName && (await ports.servicePrincipals.findApplication(ref.uniqueName))?.id);
  if (!applicationId) return { ...alongside, found: false, notFound: [...alongside.notFound, ref.uniqueName ?? ''] };
  await options.beforeDelete?.();
  const application: CredentialPart = { part: 'application', name: applicationId };
  if (!(await own(application, () => deleteApplication(ports, applicationId, requestIds))))
    return { ...alongside, applicationId, found: false, notFound: [...alongside.notFound, applicationId] };
  return { ...alongside, applicationId, found: true, deleted: [...alongside.deleted, applicationId] };
}

/**
 * Deletes the application (for good: graph-service-principals.ts); false when Graph found none
 * under its id, live or deleted (the port's 404): gone already, or not replicated yet after its
 * create, which the caller tells apart as for one not found by name. Graph's request ids of the
 * DELETE and the permanent delete (of the 404 too) are added to `requestIds`.
 */
async function deleteApplication(
  ports: SecretRunnerPorts,
  applicationId: string,
  requestIds: string[],
): Promise<boolean> {
  try {
    const ids = await ports.servicePrincipals.deleteApplication(applicationId);
    for (const id of [ids.requestId, ids.purgeRequestId]) if (id) requestIds.push(id);
    return true;
  } catch (err) {
    if (err instanceof CloudApiError && err.statusCode === 404) {
      if (err.requestId) requestIds.push(err.requestId);
      return false;
    }
    throw err;
  }
}

/**
 * Deletes the role assignment recorded under `recorded.name` when it is acrbot's: listed among
 * the assignments of the service principal of acrbot's application on the recorded scope, with
 * the role the name was derived from for that principal ({@link recordedByDerivedName}). Says
 * which of deleted, not found (not listed for that principal on the scope: deleted, with its
 * registry or by an earlier try; not listed yet; another principal's under that name; or its
 * DELETE answered 404, nothing deleted) or not ours (another role or scope) it was; only the
 * first deletes anything.
 *
 * The principal is the service principal's object id acrbot recorded when it made it
 * (`principal.recordedId`): ARM keeps, and lists, the assignments of a deleted principal, so one
 * whose application was deleted outside acrbot is found and deleted by it, not left on the
 * registry for good (G15: acrbot's record and the name derived from it vouch for it, not Graph).
 * A reference without it (written before it was carried) goes by the service principal Graph
 * shows for `principal.appId`, as before: one Graph does not show (deleted with its application,
 * or not replicated yet) vouches for nothing, and nothing is deleted.
 */
async function deleteOwnAssignment(
  ports: SecretRunnerPorts,
  principal: { appId: string; recordedId?: string },
  recorded: { scope: string; name: string; subscriptionId: string },
): Promise<{ deleted?: string; notFound?: string; notOurs?: string; requestId?: string }> {
  const principalId =
    principal.recordedId ||
    (principal.appId ? (await ports.servicePrincipals.findServicePrincipal(principal.appId))?.id : undefined);
  if (!principalId) return { notFound: recorded.name };
  let listed: RoleAssignmentInfo[];
  try {
    listed = await ports.roleAssignments.listForPrincipal(recorded.scope, principalId);
  } catch (err) {
    // A deleted registry took its assignments with it (the DELETE was answered "gone" likewise).
    if (err instanceof ResourceGoneError) return { notFound: recorded.name };
    throw err;
  }
  const named = listed.find((a) => a.name.toLowerCase() === recorded.name.toLowerCase());
  if (!named) return { notFound: recorded.name };
  if (!recordedByDerivedName(named, { name: recorded.name, scope: recorded.scope, principalId }))
    return { notOurs: recorded.name };
  const { requestId, absent } = await ports.roleAssignments.delete(recorded);
  // A 404 (gone since the listing, or its registry with it) deleted nothing: not found, as the listing's.
  return absent ? { notFound: recorded.name, requestId } : { deleted: recorded.name, requestId };
}

/**
 * Reads a token or scope map, then deletes it when no write on it is running: true when it was
 * there (a 404 on the DELETE that follows means it is gone all the same), false when the read
 * found none. ARM shows an accepted create as `Creating` until it ends, so a resource not in a
 * terminal state is left for a later try. No `provisioningState` at all is read as finished (a
 * resource that has none is written synchronously).
 */
async function deleteRegistryChild(
  what: string,
  read: () => ReturnType<RegistryTokenPort['getScopeMap']>,
  remove: () => Promise<unknown>,
): Promise<boolean> {
  const current = await read();
  if (!current) return false;
  const state = current.provisioningState;
  if (state && !TERMINAL_STATES.has(state.toLowerCase()))
    throw new CloudApiError(
      WRITE_IN_PROGRESS,
      undefined,
      `${what} is still being written in Azure (provisioningState ${state}); acrbot deletes it once Azure has finished`,
    );
  await remove();
  return true;
}
