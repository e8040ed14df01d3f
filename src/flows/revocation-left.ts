/**
 * What a revocation that failed part way left behind, once what ends the access is gone: the
 * ACR token or the role assignment was deleted (or the credential, before the cluster step), and
 * a scope map, an application without rights, a pull secret without a credential, or the
 * `imagePullSecrets` entry of a pull secret deleted already is left. The
 * approvers' report then names that, not the request's credential, which acrbot deleted already
 * (azure-failure-text.ts `revocationAdvice`). Named from acrbot's own records (G15), never a secret.
 */
import type { SecretPlan } from '../domain/plan';
import type { CredentialRef } from '../domain/secret-credential';

/** What is left, and what ended the access before it. */
export interface LeftBehind {
  /**
   * What is gone that ended the access, as a clause: `ACR token x on registry y is deleted`.
   * Absent when acrbot cannot say the access ended ({@link LeftBehind.unconfirmed} says why).
   */
  ended?: string;
  /**
   * Why acrbot cannot say the access ended, as a clause, when it did not: no credential was
   * deleted (no usable record of it was kept, the token under its name is not acrbot's, or its
   * registry is nowhere acrbot can see), and what is left may still sign in.
   */
  unconfirmed?: string;
  /** What is left, which grants nothing by itself once `ended`: `scope map m on registry y`. */
  what: string;
  /** The command that deletes it by hand. */
  command: string;
  /**
   * When what is left goes by a name someone else may have taken since (a pull secret): what
   * makes it still acrbot's, as a clause (`it is still the object acrbot wrote`). The next
   * attempt checks it, and leaves what is not (G15: names are hints), so the report says so,
   * and asks a person deleting it by hand to check first ({@link LeftBehind.check}).
   */
  onlyIf?: string;
  /** How a person checks {@link LeftBehind.onlyIf} before {@link LeftBehind.command}, as a clause. */
  check?: string;
}

/**
 * A revocation's failure after what ends the access was deleted: its cause is the failure, as
 * thrown (its message too, which operators read in the job); `left` is what the retry deletes.
 */
export class RevocationLeftError extends Error {
  constructor(
    message: string,
    readonly left: LeftBehind,
    options: { cause: unknown },
  ) {
    super(message, options);
    this.name = 'RevocationLeftError';
  }
}

/** `err` wrapped with what is left ({@link RevocationLeftError}), its message kept. */
export function leftBehind(err: unknown, left: LeftBehind): RevocationLeftError {
  return new RevocationLeftError(err instanceof Error ? err.message : String(err), left, { cause: err });
}

/**
 * A token credential whose token is gone (deleted by this attempt or an earlier one, or not
 * found at its registry's recorded id): its scope map is what is left, and grants nothing
 * without the token. Undefined without one (the built-in `_repositories_pull`, never deleted).
 */
export function scopeMapLeft(ref: Extract<CredentialRef, { kind: 'token' }>): LeftBehind | undefined {
  if (!ref.scopeMapName) return undefined;
  return {
    ended: `ACR token ${ref.tokenName} on registry ${ref.registry} is deleted`,
    what: `scope map ${ref.scopeMapName} on registry ${ref.registry}`,
    command: `az acr scope-map delete --subscription ${ref.subscriptionId} --registry ${ref.registry} --name ${ref.scopeMapName} --yes`,
  };
}

/**
 * A `--kind sp` credential whose role assignment acrbot deleted: its application is what is
 * left, with a password that may sign in but no right on the registry.
 */
export function applicationLeft(ref: Extract<CredentialRef, { kind: 'sp' }>, applicationId: string): LeftBehind {
  return {
    ended: `the role assignment acrbot made for service principal ${ref.appId} is deleted, so it can no longer pull`,
    what: `the application of service principal ${ref.appId}`,
    command: `az ad app delete --id ${applicationId || ref.appId}`,
  };
}

/**
 * A pull secret whose credential the revocation dealt with before its cluster step failed: the
 * secret (and the `imagePullSecrets` entries acrbot added) is what is left, and no longer signs in.
 * `credential` says what the credential step did (credential-revocation.ts `revokeCredential`);
 * one it did not delete is said so, never that acrbot deleted it: `absent`, it was gone already
 * (a rotation retired it, or someone deleted it), so the secret no longer signs in; `kept`, acrbot kept no usable
 * record of it (`keptCredentialReason`), so the secret may still sign in; `notOurs`, the token
 * under its name (`token`: `T on registry R`) is not the one acrbot made (G15, foreign-token.ts),
 * left for an operator, with what to check; `unconfirmed`, its token's registry is nowhere acrbot
 * can see (the approvers were told what to check), so the secret may still sign in there.
 * `entriesLeft`: the secret is gone already (deleted before a service account PATCH failed), and
 * only its entry in these service accounts' `imagePullSecrets` is left: named, with the kubectl
 * patch that takes it out, and the access through the cluster has ended with the secret.
 * `writtenUids`: the uids acrbot recorded writing the secret under (a request and its extension
 * may have recorded two), for the check before a delete by hand ({@link secretStillOurs}).
 */
export function secretLeft(
  plan: Pick<SecretPlan, 'namespace' | 'secretName' | 'cluster'>,
  credential: 'deleted' | 'absent' | 'kept' | 'notOurs' | 'unconfirmed' = 'deleted',
  {
    token,
    entriesLeft,
    writtenUids = [],
  }: { token?: string; entriesLeft?: readonly string[]; writtenUids?: readonly string[] } = {},
): LeftBehind {
  const secret = `pull secret ${plan.namespace}/${plan.secretName}`;
  const tokenNamed = `the ACR token ${token ?? "now under its token's name"}`;
  const tokenUnseen = `${token ? `ACR token ${token}` : 'its ACR token'} was not found where acrbot recorded it, and ${token ? 'that' : 'its'} registry is nowhere acrbot can see`;
  // Gone, by acrbot's DELETE or before it: either way the secret no longer signs in.
  const credentialEnded =
    credential === 'absent'
      ? `the credential of ${secret} was already gone, so it no longer signs in`
      : `acrbot deleted the credential of ${secret}, so it no longer signs in`;
  if (entriesLeft?.length) {
    const noneDeleted = {
      kept: 'acrbot has no usable record of its credential, so it deleted none',
      notOurs: `acrbot deleted no credential of it: ${tokenNamed} is not the one acrbot made (audit log: access.revoke.credential, notOurs), left in place for an operator to check`,
      unconfirmed: `acrbot deleted no credential of it: ${tokenUnseen} (audit log: access.revoke.credential, unconfirmed)`,
    };
    return {
      ended:
        credential === 'deleted' || credential === 'absent'
          ? `${credentialEnded}, and ${credential === 'absent' ? 'acrbot deleted ' : ''}the secret itself in cluster ${plan.cluster.name}`
          : `acrbot deleted ${secret} in cluster ${plan.cluster.name}, so the cluster no longer pulls with it; ${noneDeleted[credential]}`,
      ...entriesLeftBehind(plan, entriesLeft),
    };
  }
  return {
    ...(credential === 'deleted' || credential === 'absent'
      ? { ended: credentialEnded }
      : credential === 'notOurs'
        ? {
            unconfirmed: `acrbot deleted no credential of ${secret}: ${tokenNamed} is not the one acrbot made (audit log: access.revoke.credential, notOurs), so acrbot left it in place for an operator to check, and to delete if nobody needs it. acrbot cannot confirm the access ended: if that token is acrbot's own after all, the secret still signs in`,
          }
        : credential === 'unconfirmed'
          ? {
              unconfirmed: `acrbot deleted no credential of ${secret}: ${tokenUnseen} (audit log: access.revoke.credential, unconfirmed; the approvers were told what to check), so acrbot cannot confirm the access ended: if the registry was moved, the secret still signs in`,
            }
          : {
              unconfirmed: `acrbot has no usable record of the credential of ${secret}, so it deleted none: the access may not have ended, as the secret may still sign in`,
            }),
    what: `the secret itself in cluster ${plan.cluster.name} (and any imagePullSecrets entry acrbot added for it)`,
    command: `kubectl delete secret -n ${plan.namespace} ${plan.secretName}, in cluster ${plan.cluster.name}`,
    ...secretStillOurs(plan, writtenUids),
  };
}

/**
 * What makes the secret left under `plan`'s name still acrbot's, and how a person checks it: by
 * the time anyone reads the report, its owners may have deleted it and made their own under the
 * same name (another uid), or a GitOps sync or `kubectl apply` may have put their data into it
 * (the same uid). The next attempt finds either, and leaves it (secret-revocation.ts); a delete
 * by hand by name would delete it all the same. kubectl has no flag for a DELETE's uid
 * precondition, so the check is the uid it prints against `writtenUids` (a request and its
 * extension may each have recorded one: either may be the one left), which are no secret (the
 * report's scrubbing, secret-text.ts, leaves them); the data, a password, is not printed: whether
 * anything else writes that name is for the person to know. Without a recorded uid (records made
 * before uids were kept), the check is that nobody did either.
 */
function secretStillOurs(
  plan: Pick<SecretPlan, 'namespace' | 'secretName' | 'cluster'>,
  writtenUids: readonly string[],
): Pick<LeftBehind, 'onlyIf' | 'check'> {
  const data = 'that nobody put their own data in it since (a GitOps sync or kubectl apply under that name)';
  return {
    onlyIf: 'it is still the object acrbot wrote',
    check: writtenUids.length
      ? `kubectl get secret -n ${plan.namespace} ${plan.secretName} -o jsonpath='{.metadata.uid}', in cluster ${plan.cluster.name}, prints ${writtenUids.join(' or ')} and ${data}`
      : `nobody deleted it and made their own under that name (acrbot kept no uid of it to check against) and ${data}`,
  };
}

/**
 * The entry of a deleted pull secret left in the `imagePullSecrets` of `serviceAccounts`: what is
 * left and the kubectl patch that takes it out of each. A ServiceAccount's list has no merge key
 * (a strategic merge patch replaces it whole), so the patch removes it by its place in the list,
 * after a JSON-patch `test` (RFC 6902) that the entry there is still the secret's: a list changed
 * since N was read fails the whole patch instead of losing another entry. The test compares the
 * whole entry (`{"name":…}`, all a LocalObjectReference holds), not its `"value":"…"` string,
 * which the report's secret scrubbing (secret-text.ts) would redact. The names in it are DNS-1123
 * (secret-options.ts, and the API server's own rule for service accounts), so the single-quoted
 * JSON needs no escaping in a shell.
 */
function entriesLeftBehind(
  plan: Pick<SecretPlan, 'namespace' | 'secretName' | 'cluster'>,
  serviceAccounts: readonly string[],
): Pick<LeftBehind, 'what' | 'command'> {
  const [first, ...others] = serviceAccounts;
  const accounts = `service account${others.length ? 's' : ''} ${serviceAccounts.join(', ')}`;
  const likewise = others.length ? ` (and likewise for ${others.join(', ')})` : '';
  return {
    what: `the entry ${plan.secretName} in the imagePullSecrets of ${accounts} in namespace ${plan.namespace} of cluster ${plan.cluster.name}`,
    command: `kubectl patch serviceaccount ${first} -n ${plan.namespace} --type json -p '[{"op":"test","path":"/imagePullSecrets/N","value":{"name":"${plan.secretName}"}},{"op":"remove","path":"/imagePullSecrets/N"}]'${likewise}, in cluster ${plan.cluster.name}, N being the place of ${plan.secretName} in that list, counted from 0`,
  };
}
