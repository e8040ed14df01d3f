/**
 * How a new pull secret's refusals end: the way on they give the requester (another `--name`,
 * another `--namespace`, ask again). An extension takes only `--for` (command.ts), so it cannot
 * follow them; secret-extension-way-on.ts finds these endings in a failed extension's text and
 * puts ways on it can follow in their place. Kept here, one copy, so the sentences that end with
 * them (secret-ownership.ts, the Kubernetes adapter's kube-errors.ts) and the swap cannot drift.
 */

/** How a refusal of a secret that is not acrbot's ends (secret-ownership.ts `decideReplacement`). */
export const FOREIGN_SECRET_WAY_ON = 'choose another --name, or ask whoever owns it to remove it first.';

/**
 * How a refusal of a secret acrbot wrote before it kept uids ends, for another access than the
 * writer's (secret-ownership.ts `legacyWriterSentence`): removed, by hand or by its revocation.
 */
export const LEGACY_WRITER_WAY_ON = 'then ask again; or choose another --name.';

/** How a create into a namespace that does not exist ends (kube-errors.ts `notFoundText`). */
export const MISSING_NAMESPACE_WAY_ON =
  "create it first or choose another --namespace (a pull secret must live in the workload's namespace).";
