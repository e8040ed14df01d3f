/**
 * `check`'s look at the pull secrets acrbot's records name, in the cluster itself: a secret, or a
 * service account's `imagePullSecrets` entry, that GitOps (Argo CD, Flux) or a person removed is
 * otherwise still named as in use, and the platform engineer asking whether pods can pull must
 * not be told so. Read-only and bounded: the cluster credentials the revocation uses (same port,
 * same per-call deadlines), at most {@link CHECK_MAX_CLUSTER_READS} objects per answer, a few at
 * a time, within {@link CHECK_CLUSTER_BUDGET_MS}. A cluster acrbot cannot reach, or that refuses,
 * makes those secrets "not checked", never a failed answer; so does a stopped one (its power
 * state, read with the cluster), with no call at all. Never the secrets' data: the port
 * hands back a fingerprint, compared with the one acrbot recorded writing.
 */
import type { ClusterInfo } from '../domain/azure-model';
import { mapAtMost } from '../domain/bounded-map';
import { isUserFacing } from '../domain/errors';
import { startClusterCommand } from '../domain/kube-no-answer';
import type { ClusterAccess, PullSecretPort, PullSecretSeen } from '../domain/ports';
import { secretKey, type SecretInCluster } from '../domain/pull-diagnosis';
import type { PullSecretPath } from '../domain/access-inventory';
import type { AccessRequest } from '../domain/request';
import { startedWriteFingerprints, writtenSecretFingerprint, writtenSecretUid } from '../domain/secret-ownership';
import type { Logger } from '../observability/logger';

/** Most objects (secrets and service accounts) one `check` answer reads in a cluster. */
export const CHECK_MAX_CLUSTER_READS = 20;

/** Secrets read at once (each with its service accounts, one after the other). */
export const CHECK_PARALLEL_SECRETS = 4;

/**
 * Longest the cluster reads of one answer may take: the rest is said not checked. Each call has
 * its own deadline too (kube-cluster-access.ts); this keeps a slow cluster from holding the answer.
 */
const CHECK_CLUSTER_BUDGET_MS = 15_000;

/** The port as `check` uses it: credentials, then reads only. */
export type SecretInspector = Pick<PullSecretPort, 'access' | 'inspect'>;

/** One secret to look for, with every service account a record lists it on. */
interface Target {
  namespace: string;
  secretName: string;
  serviceAccounts: string[];
}

/**
 * What the cluster holds of each of `paths` (keyed by `secretKey`), or undefined when there is
 * nothing to read or the port cannot read. `requests`: acrbot's records of the registry, whose
 * recorded uids and data fingerprints tell acrbot's object and data from someone else's.
 */
export async function secretsInCluster(
  kube: SecretInspector | undefined,
  cluster: ClusterInfo,
  paths: readonly PullSecretPath[],
  requests: readonly AccessRequest[],
  log?: Pick<Logger, 'warn'>,
  budgetMs: number = CHECK_CLUSTER_BUDGET_MS,
): Promise<Map<string, SecretInCluster> | undefined> {
  if (!kube?.inspect || paths.length === 0) return undefined;
  const inspect = kube.inspect.bind(kube);
  const targets = targetsOf(paths);
  const found = new Map<string, SecretInCluster>();
  const notChecked = (reason: string): SecretInCluster => ({ secret: 'notChecked', notCheckedBecause: reason });
  let open = true;
  const settle = (t: Target, seen: SecretInCluster) => {
    if (open) found.set(secretKey(t.namespace, t.secretName), seen);
  };
  const reasonOf = (err: unknown): string => {
    if (isUserFacing(err)) return firstClause(err.message);
    log?.warn({ err, cluster: cluster.name }, 'check could not read pull secrets in the cluster');
    return 'an unexpected error; the logs have it';
  };
  // Its API server answers nothing: each call would wait out its deadline, and say less.
  if (cluster.powerState === 'Stopped') {
    const reason = `cluster ${cluster.name} is stopped (its power state is Stopped): start it with ${startClusterCommand(cluster)}`;
    for (const t of targets) settle(t, notChecked(reason));
    return found;
  }
  const work = (async () => {
    let access: ClusterAccess;
    try {
      access = await kube.access(cluster);
    } catch (err) {
      const reason = reasonOf(err);
      for (const t of targets) settle(t, notChecked(reason));
      return;
    }
    let reads = 0;
    const chosen: Target[] = [];
    for (const t of targets) {
      const cost = 1 + t.serviceAccounts.length;
      if (reads + cost > CHECK_MAX_CLUSTER_READS)
        settle(t, notChecked(`acrbot reads at most ${CHECK_MAX_CLUSTER_READS} objects in a cluster per answer`));
      else {
        reads += cost;
        chosen.push(t);
      }
    }
    // Each failure settles its own target, so one unreadable secret does not stop the others.
    await mapAtMost(chosen, CHECK_PARALLEL_SECRETS, async (t) => {
      try {
        settle(t, judged(await inspect(access, t), t, cluster, requests));
      } catch (err) {
        settle(t, notChecked(reasonOf(err)));
      }
    });
  })();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, budgetMs);
    timer.unref?.();
  });
  try {
    await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
    open = false;
  }
  for (const t of targets)
    if (!found.has(secretKey(t.namespace, t.secretName)))
      found.set(
        secretKey(t.namespace, t.secretName),
        notChecked(`cluster ${cluster.name} did not answer within ${Math.round(budgetMs / 1000)} seconds`),
      );
  return found;
}

/** One target per secret (two live requests may name the same one), its service accounts merged. */
function targetsOf(paths: readonly PullSecretPath[]): Target[] {
  const byKey = new Map<string, Target>();
  for (const p of paths) {
    const key = secretKey(p.namespace, p.secretName);
    const known = byKey.get(key);
    const accounts = p.serviceAccounts ?? [];
    if (known) known.serviceAccounts = [...new Set([...known.serviceAccounts, ...accounts])];
    else byKey.set(key, { namespace: p.namespace, secretName: p.secretName, serviceAccounts: [...accounts] });
  }
  return [...byKey.values()];
}

/**
 * What was read, against acrbot's records of the same secret (any request that wrote it: a
 * rotation or a later request rewrites it, keeping the object). A check a record cannot back
 * (written before uids or fingerprints were recorded) is not made: the secret is then `present`.
 */
function judged(
  seen: PullSecretSeen,
  target: Target,
  cluster: ClusterInfo,
  requests: readonly AccessRequest[],
): SecretInCluster {
  if (seen.secret.state === 'absent') return { secret: 'gone' };
  const writes = requests.filter(
    (r) =>
      r.plan.kind === 'secret' &&
      r.plan.cluster.id.toLowerCase() === cluster.id.toLowerCase() &&
      r.plan.namespace === target.namespace &&
      r.plan.secretName === target.secretName,
  );
  const uids = writes.flatMap((r) => writtenSecretUid(r) ?? []);
  const fingerprints = writes
    .flatMap((r) => [writtenSecretFingerprint(r) ?? [], startedWriteFingerprints(r).fingerprints])
    .flat();
  const { uid, dataFingerprint, deleting } = seen.secret;
  if (uid && uids.length && !uids.includes(uid)) return { secret: 'madeAgain' };
  if (dataFingerprint && fingerprints.length && !fingerprints.includes(dataFingerprint))
    return { secret: 'contentsReplaced' };
  const entryGone = target.serviceAccounts.filter((n) => seen.serviceAccounts[n] === 'noEntry');
  const accountGone = target.serviceAccounts.filter((n) => seen.serviceAccounts[n] === 'absent');
  return {
    secret: deleting ? 'deleting' : 'present',
    ...(entryGone.length && { entryGone }),
    ...(accountGone.length && { accountGone }),
  };
}

/**
 * The first clause of an explained failure ("Cluster aks-dev could not be reached (no answer)
 * while acrbot tried to read secrets in namespace payments"), without its advice: it goes in
 * parentheses after "not checked in the cluster".
 */
function firstClause(message: string): string {
  return message.split(/;\s|\.\s|\.$/)[0]!.trim();
}
