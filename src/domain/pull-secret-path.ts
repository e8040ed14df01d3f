/**
 * acrbot's pull secrets as ways of pulling: one row per secret request of the pair, with the
 * service accounts acrbot's records say list it.
 */
import type { AcrbotRequestRef, PullSecretPath } from './inventory-rows';
import type { AccessRequest } from './request';
import { acrbotServiceAccountEntries } from './secret-ownership';

/** The pair's pull secret requests among `requests`, one way of pulling each. */
export function pullSecretPaths(
  requests: readonly AccessRequest[],
  refOf: (r: AccessRequest) => AcrbotRequestRef,
): PullSecretPath[] {
  const paths: PullSecretPath[] = [];
  for (const r of requests) {
    if (r.plan.kind !== 'secret') continue;
    const ref = refOf(r);
    paths.push({
      kind: 'pullSecret',
      namespace: r.plan.namespace,
      secretName: r.plan.secretName,
      credentialKind: r.plan.credentialKind,
      ...(serviceAccountsOf(r).length && { serviceAccounts: serviceAccountsOf(r) }),
      request: ref,
      state: ref.state,
    });
  }
  return paths;
}

/**
 * The service accounts a pull secret is listed on, by acrbot's records: the plan's (the run
 * linked it, or found it listed) and those whose entry acrbot added.
 */
function serviceAccountsOf(request: AccessRequest): string[] {
  if (request.plan.kind !== 'secret' || !request.outcome?.secret) return [];
  const planned = request.plan.serviceAccount ? [request.plan.serviceAccount] : [];
  return [...new Set([...planned, ...acrbotServiceAccountEntries(request)])];
}
