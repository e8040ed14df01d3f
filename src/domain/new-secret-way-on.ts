/**
 * How a new pull secret's refusals end: the way on they give the requester (another `--name`,
 * another `--namespace`, ask again, a stopped cluster started and asked again). An extension takes
 * only `--for` (command.ts), so it cannot follow them; secret-extension-way-on.ts finds these
 * endings in a failed extension's text and puts ways on it can follow in their place. Kept here,
 * one copy, so the sentences that end with them (secret-ownership.ts, the Kubernetes adapter's
 * kube-errors.ts) and the swap cannot drift.
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

/** How a check that finds the service account missing ends (kube-secret-read.ts `precheckSecret`). */
export const MISSING_SERVICE_ACCOUNT_WAY_ON = 'check --service-account.';

/**
 * How a failed link ends when the service account went after the check (kube-errors.ts
 * `notFoundText`, for service accounts).
 */
export const SERVICE_ACCOUNT_GONE_WAY_ON =
  'check --service-account and ask for it again (the new request needs approving again).';

/**
 * How a refusal of a namespace being deleted ends (kube-errors.ts `namespaceTerminatingError`),
 * after "its deletion cannot be undone (…);": a namespace in Terminating never becomes Active
 * again, so the way on is the namespace made again once it is gone, or another one.
 */
export const NAMESPACE_TERMINATING_WAY_ON =
  'once it is gone, have it created again, or choose a namespace that is not going away.';

/** How a refusal of a secret being deleted ends (kube-errors.ts `secretTerminatingError`). */
export const SECRET_TERMINATING_WAY_ON = 'Try again when it is gone (a new request may also choose another --name).';

/** That a stopped cluster stops no grant, as a secret's refusal on one ends (secret-planner.ts). */
export const GRANT_WHILE_STOPPED = "A grant (AcrPull on the cluster's identity) works while it is stopped.";

/**
 * How a run's refusal of a cluster stopped since its plan ends, after "start it with az aks
 * start …" (secret-planner.ts `clusterStoppedRefusal`): a new request, or a grant instead.
 */
export const STOPPED_CLUSTER_RUN_WAY_ON = `and ask for it again (the new request needs approving again). ${GRANT_WHILE_STOPPED}`;
