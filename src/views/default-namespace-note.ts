/**
 * The card line for a pull secret going to namespace `default`, acrbot's namespace when the
 * command gave no `--namespace`, or the one `--namespace default` (or the answer `default` to the
 * namespace question of a bare `secret`) names: nothing else said so until the secret was made, and pods in
 * any other namespace cannot use it. The line does not say which of the two it was (the plan
 * records only the namespace), so it says nothing that is true of one only. Said
 * while the request waits, when cancelling and asking again still costs nothing. The card is
 * shared with the approvers, so it speaks of "its requester".
 */
import type { AccessRequest } from '../domain/request';
import { SECRET_DEFAULTS } from '../domain/secret-options';

/**
 * The line for a pending secret request whose plan writes to namespace `default`; undefined
 * otherwise, and for an extension (its plan is a copy of its original's, already made there).
 */
export function defaultNamespaceNote(
  request: Pick<AccessRequest, 'plan' | 'state' | 'extendsRequestId'>,
): string | undefined {
  const plan = request.plan;
  if (plan.kind !== 'secret' || request.state !== 'pending' || request.extendsRequestId) return undefined;
  if (plan.namespace !== SECRET_DEFAULTS.namespace) return undefined;
  // True whether `--namespace default` was typed or none was (the plan does not say which).
  return `${SECRET_DEFAULTS.namespace}: pods in other namespaces cannot use this secret; for another namespace, its requester can cancel this request and ask again with --namespace NAME.`;
}
