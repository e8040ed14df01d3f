/**
 * What deciding whether to carry out a run picked up again needs, kept apart from the executor
 * and the runners (which import the executor) so that none of them imports another in a cycle:
 * how long after its approval a run may still be carried out, and the code of a grant whose
 * write could not be confirmed.
 */
import type { Plan } from '../domain/plan';

/**
 * The error code of a grant whose PUT may have been carried out although its answer was lost,
 * and could not be confirmed by reading it back: the lifecycle deletes what Azure made.
 */
export const UNCONFIRMED_GRANT = 'azure.writeUnconfirmed';

/**
 * How long a run whose earlier attempt began writing the secret waits for the cluster to let it
 * look at that secret, from when the run first stopped: then it gives up and deletes the
 * credential (G14), saying that the secret may hold it. A day: longer than a cluster's usual
 * outage or upgrade, short enough that a credential nobody was told about does not stay live.
 */
export const CLUSTER_WAIT_LIMIT_MS = 24 * 3_600_000;

/**
 * How long after its approval a grant's run may still be carried out when it is picked up. A
 * grant runs in seconds (a few minutes with Graph's replication retries) and is picked up again
 * only after a crash (once its lease expired: ACRBOT_LEASE_TTL, minutes), a restart or a short
 * store outage. A run older than this most likely comes from a store restored from a backup, where
 * it was caught mid-run: its access may have been revoked since, and carrying it out would grant
 * it again, with a term counted from the new grant.
 */
export const GRANT_RUN_LIMIT_MS = 2 * 3_600_000;

/**
 * A secret's run may legitimately wait on its cluster for {@link CLUSTER_WAIT_LIMIT_MS} from when
 * it first stopped, then gives up by itself (waitedTooLong, pull-secret-write.ts): this margin on
 * top covers the time from the approval to that first stop and the resume sweeps after the limit,
 * so that the runner's own give-up always comes first for a run that is really waiting.
 */
export const SECRET_RUN_MARGIN_MS = 12 * 3_600_000;

/** How long after its approval a run of `kind` may still be carried out (see the two constants above). */
export function runLimitMs(kind: Plan['kind']): number {
  return kind === 'secret' ? CLUSTER_WAIT_LIMIT_MS + SECRET_RUN_MARGIN_MS : GRANT_RUN_LIMIT_MS;
}
