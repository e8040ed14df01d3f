/**
 * Whose a pull secret of the planned name is, when the cluster shows one: the run's decision
 * (decideReplacement, asked in the order the run asks it in secret-run-checks.ts `checkFirst`),
 * from acrbot's records alone (G15). A label or annotation read back from the cluster only names
 * the request to look up; it never vouches by itself. At plan time, the card's warning that the
 * run will refuse it: the requester can ask again under another name before anyone approves.
 */
import type { SecretPlan } from '../domain/plan';
import type { AccessRequest } from '../domain/request';
import {
  decideReplacement,
  type ExistingSecret,
  labelledRequestId,
  type ReplaceDecision,
} from '../domain/secret-ownership';

/** The reads of acrbot's store the decision makes (each only when it needs it). */
export interface OwnershipReads {
  /** A request by id: the one the secret's label names. */
  request: (id: string) => Promise<AccessRequest | undefined>;
  /**
   * The request acrbot's records say wrote the secret for `request`'s access (an extension's last
   * family writer, else the request its plan replaces; `recordedWriter`), if any.
   */
  writer: () => Promise<AccessRequest | undefined>;
}

/**
 * Whether `request` may overwrite `existing`, as the run decides it: by the request its label
 * names (read from the store), and, refused by that and not labelled with `request` itself, by the
 * request acrbot's records say wrote the secret, which may vouch for it by its uid and data (a
 * label a policy engine took off).
 */
export async function decideOverExisting(
  request: AccessRequest,
  existing: ExistingSecret,
  reads: OwnershipReads,
): Promise<ReplaceDecision> {
  const labelled = labelledRequestId(existing);
  const labelledRequest = labelled ? await reads.request(labelled) : undefined;
  const decision = decideReplacement(request, existing, labelledRequest);
  if (decision.replace || labelled === request.id) return decision;
  const writer = await reads.writer();
  return writer ? decideReplacement(request, existing, labelledRequest, writer) : decision;
}

/**
 * The card's warning for a plan whose secret name the cluster showed taken at `at` by a secret
 * the run would refuse to overwrite ({@link decideOverExisting}, for the request as it will be
 * stored: not an extension, nothing written yet); undefined when the run may replace it.
 * `replaced`: the request the plan replaces (`plan.replaces`), which the run takes for the
 * recorded writer.
 */
export async function foreignSecretCheck(
  plan: SecretPlan,
  existing: ExistingSecret,
  at: string,
  get: (id: string) => Promise<AccessRequest | undefined>,
  replaced: AccessRequest | undefined,
): Promise<string | undefined> {
  // decideReplacement reads only these of the request being decided: the id (none yet, so no
  // label can name it), its plan, what it created (nothing) and what it extends (nothing).
  const planned = { id: '', plan, created: [] } as Pick<AccessRequest, 'id' | 'plan' | 'created'>;
  const decision = await decideOverExisting(planned as AccessRequest, existing, {
    request: get,
    writer: async () => replaced,
  });
  if (decision.replace) return undefined;
  return `At ${at} secret ${plan.namespace}/${plan.secretName} already existed in cluster ${plan.cluster.name}, and acrbot's records do not show it as one this request may replace: the run will refuse to overwrite it. Ask again with another --name, or have whoever owns it remove it before approving.`;
}
