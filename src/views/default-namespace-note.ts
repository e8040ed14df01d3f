/**
 * The card line for a pull secret going to namespace `default`, acrbot's namespace when the
 * command gave no `--namespace` (and the only one the questions of a bare `secret` give): nothing
 * else said so until the secret was made, and pods in any other namespace cannot use it. Said
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
  return `${SECRET_DEFAULTS.namespace}, used when no --namespace is given: pods in other namespaces cannot use this secret. For another namespace, its requester can cancel this request and ask again with --namespace NAME.`;
}
