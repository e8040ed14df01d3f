/**
 * What an extension of a pull secret says when it cannot rotate the secret: one whose secret is
 * not acrbot's any more (its contents replaced in place by GitOps, a person's kubectl apply) or
 * is being deleted, whose namespace or service account is gone, whose namespace is being deleted,
 * or whose cluster was stopped.
 * `extend` takes only `--for` (domain/command.ts): the advice a new secret's refusal gives
 * (another `--name`, `--namespace` or `--service-account`) cannot be followed with it. The ways
 * on an extension has instead: the secret removed (or the namespace or service account made
 * again, the cluster started) and `extend` again, which writes the secret anew; or a new pull
 * secret under another name, in another namespace or for another service account, asked for with
 * the `secret` command written out from the plan. Said on the
 * extension's card before approval (secret-rotation-plan.ts) and in its failure after
 * (secret-extension-runner.ts).
 */
import { shortDuration } from '../domain/access-term';
import { UserFacingError } from '../domain/errors';
import { CLUSTER_STOPPED, startClusterCommand } from '../domain/kube-no-answer';
import { NEW_SECRET_NAME } from '../domain/command';
import {
  FOREIGN_SECRET_WAY_ON,
  LEGACY_WRITER_WAY_ON,
  MISSING_NAMESPACE_WAY_ON,
  MISSING_SERVICE_ACCOUNT_WAY_ON,
  NAMESPACE_TERMINATING_WAY_ON,
  SECRET_TERMINATING_WAY_ON,
  SERVICE_ACCOUNT_GONE_WAY_ON,
  STOPPED_CLUSTER_RUN_WAY_ON,
} from '../domain/new-secret-way-on';
import type { SecretPlan } from '../domain/plan';
import type { AccessRequest } from '../domain/request';
import { typedPair } from '../domain/typed-names';

/** The run's code for a secret acrbot may not overwrite (secret-ownership.ts). */
const FOREIGN_SECRET = 'kubernetes.foreignSecret';

/** The Kubernetes adapter's code for a service account the precheck did not find (kube-secret-read.ts). */
const NO_SERVICE_ACCOUNT = 'kubernetes.noServiceAccount';

/** The Kubernetes adapter's code for a secret being deleted (kube-errors.ts `secretTerminatingError`). */
const SECRET_TERMINATING = 'kubernetes.secretTerminating';

/** The Kubernetes adapter's code for a namespace being deleted (kube-errors.ts `namespaceTerminatingError`). */
const NAMESPACE_TERMINATING = 'kubernetes.namespaceTerminating';

/** The Kubernetes adapter's code for a missing namespace, among other objects (kube-errors.ts). */
const NOT_FOUND = 'kubernetes.notFound';

/** What the namespace placeholder of {@link newSecretCommand} says: the requester writes theirs. */
const NEW_NAMESPACE = 'NAMESPACE';

/**
 * What the service account placeholder of {@link newSecretCommand} says: the requester writes
 * theirs (pasted as it is, the parser refuses it: not a Kubernetes name).
 */
const NEW_SERVICE_ACCOUNT = 'SERVICE-ACCOUNT';

/**
 * `@acrbot secret PAIR --namespace NS --name NAME [--kind sp] [--service-account SA]
 * [--repositories A,B] [--for TERM] REASON…` for `plan`'s access as a new pull secret, in the
 * grammar `secret` parses, with `--name NEW-NAME` (`newName`, which the parser refuses pasted as it
 * is: the requester picks one), `--namespace NAMESPACE` (`newNamespace`) or `--service-account
 * SERVICE-ACCOUNT` (`newServiceAccount`). `access`: the term to ask for (the extension's); without
 * one, none is written and the default applies.
 */
export function newSecretCommand(
  plan: SecretPlan,
  change: 'newName' | 'newNamespace' | 'newServiceAccount',
  access?: AccessRequest['access'],
): string {
  const term = access?.permanent
    ? ' --for permanent'
    : access?.durationMs
      ? ` --for ${shortDuration(access.durationMs)}`
      : '';
  const flags = [
    `--namespace ${change === 'newNamespace' ? NEW_NAMESPACE : plan.namespace}`,
    `--name ${change === 'newName' ? NEW_SECRET_NAME : plan.secretName}`,
    ...(plan.credentialKind === 'sp' ? ['--kind sp'] : []),
    ...(change === 'newServiceAccount'
      ? [`--service-account ${NEW_SERVICE_ACCOUNT}`]
      : plan.serviceAccount
        ? [`--service-account ${plan.serviceAccount}`]
        : []),
    // An empty list is every repository: leaving the option out asks for that again.
    ...(plan.repositories.length ? [`--repositories ${plan.repositories.join(',')}`] : []),
  ];
  return `@acrbot secret ${typedPair(plan)} ${flags.join(' ')}${term} REASON…`;
}

/**
 * The card's note of an extension whose secret the cluster showed at `at` is one its run would
 * refuse to overwrite (decideOverExisting, for the extension as it will be stored): the run will
 * fail, and the ways on it has.
 */
export function foreignSecretRotationNote(plan: SecretPlan, at: string): string {
  return `At ${at} secret ${plan.namespace}/${plan.secretName} in cluster ${plan.cluster.name} was not one acrbot's records show this access wrote (its contents or the object were replaced since, or it was made by someone else): the run will refuse to overwrite it, and nothing is extended. An extension writes only into this secret: have whoever owns it remove it before approving, or ask for a new pull secret under another name instead: "${newSecretCommand(plan, 'newName')}".`;
}

/**
 * `error`, a failed extension's text, with a new secret's way on that an extension cannot follow
 * replaced by one it can: for a secret that is not acrbot's (`kubernetes.foreignSecret`), the
 * secret removed and `extend` again, or a new secret under another name (likewise for one acrbot
 * wrote for another access before it kept uids, `legacyWriterSentence`); for a namespace that does
 * not exist (`kubernetes.notFound` with the namespace's sentence), the namespace made again and
 * `extend` again, or a new secret in the workload's namespace. The commands ask for the extension's
 * term. For a service account that does not exist (`kubernetes.noServiceAccount`, or
 * `kubernetes.notFound` with the link's sentence), the account made again and `extend` again, or a
 * new secret for another account; for a secret being deleted (`kubernetes.secretTerminating`),
 * `extend` again once it is gone (it is written anew), or a new secret under another name; for a
 * namespace being deleted (`kubernetes.namespaceTerminating`), the namespace made again once it is
 * gone and `extend` again, or a new secret in the workload's namespace. For a cluster stopped since
 * the plan (`cluster.stopped`), the cluster started before extending again, not a new request nor a
 * grant (the card adds the `extend` command). The endings are found by the constants their
 * sentences end with (domain/new-secret-way-on.ts). Any other text is returned as it is.
 */
export function extensionWayOn(error: string, code: string | undefined, extension: AccessRequest): string {
  const plan = extension.plan as SecretPlan;
  const newName = `"${newSecretCommand(plan, 'newName', extension.access)}"`;
  if (code === FOREIGN_SECRET && error.includes(FOREIGN_SECRET_WAY_ON))
    return swapEnding(
      error,
      FOREIGN_SECRET_WAY_ON,
      `an extension writes only into this secret, so ask whoever owns it to remove it and then extend again, or ask for a new pull secret under another name: ${newName}.`,
    );
  // A secret acrbot wrote for another access before it kept uids: removed (by hand, or by that
  // access's revocation), the extension writes it anew.
  if (code === FOREIGN_SECRET && error.includes(LEGACY_WRITER_WAY_ON))
    return swapEnding(
      error,
      LEGACY_WRITER_WAY_ON,
      `then extend again (an extension writes only into this secret); or ask for a new pull secret under another name: ${newName}.`,
    );
  if (code === NOT_FOUND && error.includes(MISSING_NAMESPACE_WAY_ON))
    return swapEnding(
      error,
      MISSING_NAMESPACE_WAY_ON,
      `an extension writes only into namespace ${plan.namespace}, so have it created again and then extend again, or ask for a new pull secret in the workload's namespace: "${newSecretCommand(plan, 'newNamespace', extension.access)}".`,
    );
  // Going away with the secret in it: made again once gone, the extension writes the secret anew
  // (its service account, gone with the namespace, made again too).
  if (code === NAMESPACE_TERMINATING && error.includes(NAMESPACE_TERMINATING_WAY_ON)) {
    const account = plan.serviceAccount ? ` (and service account ${plan.serviceAccount} in it)` : '';
    return swapEnding(
      error,
      NAMESPACE_TERMINATING_WAY_ON,
      `as an extension writes only into namespace ${plan.namespace}, have it created again once it is gone${account} and then extend again, or ask for a new pull secret in the workload's namespace: "${newSecretCommand(plan, 'newNamespace', extension.access)}".`,
    );
  }
  // Missing when checked, or gone between the check and the link (a 404 on the PATCH).
  const accountWayOn = `an extension links the secret only to service account ${plan.serviceAccount ?? ''}, so have it created again and then extend again, or ask for a new pull secret for the workload's service account: "${newSecretCommand(plan, 'newServiceAccount', extension.access)}".`;
  if (code === NO_SERVICE_ACCOUNT && error.includes(MISSING_SERVICE_ACCOUNT_WAY_ON))
    return swapEnding(error, MISSING_SERVICE_ACCOUNT_WAY_ON, accountWayOn);
  if (code === NOT_FOUND && error.includes(SERVICE_ACCOUNT_GONE_WAY_ON))
    return swapEnding(error, SERVICE_ACCOUNT_GONE_WAY_ON, accountWayOn);
  // Gone, the secret is written anew by the extension: no other name is needed.
  if (code === SECRET_TERMINATING && error.includes(SECRET_TERMINATING_WAY_ON))
    return swapEnding(
      error,
      SECRET_TERMINATING_WAY_ON,
      `Extend again when it is gone (an extension writes only into this secret, and writes it anew then), or ask for a new pull secret under another name: ${newName}.`,
    );
  if (code === CLUSTER_STOPPED && error.includes(STOPPED_CLUSTER_RUN_WAY_ON))
    return swapEnding(
      error,
      STOPPED_CLUSTER_RUN_WAY_ON,
      'before extending again (an extension writes a new credential into the secret, which needs the cluster running).',
    );
  return error;
}

/**
 * The refusal of an extension of a pull secret whose cluster is stopped (`powerState.code`
 * Stopped) when it is asked for: its rotation writes a new credential into the secret, which
 * needs the cluster's API server, so nothing is filed for anyone to approve (as a new secret's
 * plan is refused, secret-planner.ts). The access keeps its end.
 */
export function stoppedClusterExtensionRefusal(plan: SecretPlan): UserFacingError {
  const { name } = plan.cluster;
  return new UserFacingError(
    CLUSTER_STOPPED,
    `Cluster ${name} is stopped (its power state is Stopped), so acrbot cannot extend pull secret ${plan.namespace}/${plan.secretName} in it (an extension writes a new credential into the secret): start it with ${startClusterCommand(plan.cluster)} and extend again. Nothing was asked of the approvers; the access ends when it was going to.`,
  );
}

/** `text` with `ending` replaced by `wayOn` (a function replacer: no `$` pattern in it is read). */
function swapEnding(text: string, ending: string, wayOn: string): string {
  return text.replace(ending, () => wayOn);
}
