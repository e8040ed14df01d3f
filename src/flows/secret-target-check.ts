/**
 * The plan-time check of a pull secret's target (namespace, service account, a secret of that
 * name): one read-only precheck through the runner's own Kubernetes port, as of a time, made by
 * the secret planner for a new secret and by an extension's rotation plan for the secret it
 * rotates (secret-rotation-plan.ts), so both cards say what the cluster showed before anyone
 * approves. A hint only (G15): the run checks again.
 */
import { isUserFacing } from '../domain/errors';
import type { SecretPlan } from '../domain/plan';
import type { ClusterAccess, PullSecretPort } from '../domain/ports';
import type { ExistingSecret } from '../domain/secret-ownership';
import type { Logger } from '../observability/logger';

/** What the plan-time target check saw, as of `at` (see {@link checkSecretTarget}). */
export interface TargetSeen {
  at: string;
  missing?: string;
  existing?: ExistingSecret;
}

/**
 * Longest a plan waits for its target check (after its other reads): a hint is not worth a slow
 * card. The cluster's own call timeout usually ends it sooner.
 */
export const TARGET_CHECK_MS = 15_000;

/**
 * The runner's own precheck (namespace, service account, a secret of that name; metadata and a
 * hash, never the secret's data), made once through `port`, as of `at`: `missing`, the sentence
 * to record when the cluster said the target is missing or going away; else `existing`, the
 * secret of that name it showed, if any (whose it is, acrbot's records say). Any other answer (a
 * refusal, a timeout, no way in) says nothing here, and the run meets it; a failure that is no
 * explained one is logged on `log`, once. Without `port`, nothing is read. Never rejects.
 */
export async function checkSecretTarget(
  port: Pick<PullSecretPort, 'access' | 'precheck'> | undefined,
  cluster: SecretPlan['cluster'],
  target: { namespace: string; secretName: string; serviceAccount?: string },
  at: string,
  log: Pick<Logger, 'warn'> | undefined,
): Promise<TargetSeen> {
  if (!port) return { at };
  let access: ClusterAccess;
  try {
    access = await port.access(cluster);
  } catch (err) {
    return unchecked(err, at, log);
  }
  try {
    const { existing } = await port.precheck(access, target);
    return { at, existing };
  } catch (err) {
    // Only the precheck's codes: access() answers none of these.
    const missing = isUserFacing(err) ? targetMissingSentence(err.code, at, cluster.name, target) : undefined;
    return missing ? { at, missing } : unchecked(err, at, log);
  }
}

/**
 * A target check that said nothing of the target: an explained failure (403, no answer, a
 * refused sign-in) is the run's to meet and say; anything else is logged, once, with its cause.
 */
function unchecked(err: unknown, at: string, log: Pick<Logger, 'warn'> | undefined): TargetSeen {
  if (!isUserFacing(err))
    log?.warn({ err }, 'checking the namespace of a pull secret at plan time failed; planned without it');
  return { at };
}

/**
 * What the approver is told of a target the cluster said is missing or going away, by the code
 * of the precheck's refusal (kube-errors.ts, kube-secret-read.ts), as of `at`; undefined for any
 * other code. `kubernetes.notFound` is the namespace's: the precheck reads a missing secret as
 * none and a missing service account as `kubernetes.noServiceAccount`.
 */
function targetMissingSentence(
  code: string,
  at: string,
  clusterName: string,
  target: { namespace: string; serviceAccount?: string },
): string | undefined {
  const { namespace, serviceAccount } = target;
  switch (code) {
    case 'kubernetes.notFound':
      return `At ${at} namespace ${namespace} did not exist in cluster ${clusterName}: create it before approving, or the run will fail.`;
    case 'kubernetes.namespaceTerminating':
      // A deletion is never undone (a finalizer only holds it): nothing "stops" it.
      return `At ${at} namespace ${namespace} of cluster ${clusterName} was being deleted, which cannot be undone: unless it is gone and created again before approving, the run will fail.`;
    case 'kubernetes.noServiceAccount':
      return `At ${at} service account ${serviceAccount ?? ''} did not exist in namespace ${namespace} of cluster ${clusterName}: create it before approving, or the run will fail.`;
    default:
      return undefined;
  }
}
