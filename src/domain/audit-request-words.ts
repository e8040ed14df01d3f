/**
 * What a request's audit entries say beyond its justification: what kind of access it is, for how
 * long, which other clusters its grant gives pull to (clusters sharing the pull identity), and
 * which earlier grants of its pair were removed or changed outside acrbot, and what people decided
 * against its pair recently. Built from ids, durations and ISO times only, so nothing here is user text. Pure.
 */
import { shortDuration } from './access-term';
import type { GrantPlan, Plan, SharedIdentity } from './plan';
import type { AccessRequest, AccessTerm } from './request';
import { decidedBeforeWords } from './decided-before';
import { pullsThroughAuditWords } from './pulls-through';

/** Sharing clusters a sentence names by resource id; the rest are counted (a detail is bounded). */
const SHARING_IDS_NAMED = 3;

/** Subscriptions a sentence names where sharing could not be looked for; the rest are counted. */
const UNCHECKED_NAMED = 5;

/** "for 1d", "permanent", or "with no end" (a request made before access had an end). */
export function termWords(term: AccessTerm | undefined): string {
  if (term?.permanent) return 'permanent';
  return term?.durationMs ? `for ${shortDuration(term.durationMs)}` : 'with no end';
}

/**
 * The kind of access a request asks for: "grant", "pull secret", "break-glass grant", or
 * "extension of R-… (grant)".
 */
export function requestKindWords(request: Pick<AccessRequest, 'plan' | 'policy' | 'extendsRequestId'>): string {
  const kind = request.plan.kind === 'grant' ? 'grant' : 'pull secret';
  if (request.extendsRequestId) return `extension of ${request.extendsRequestId} (${kind})`;
  return request.policy?.breakGlass ? `break-glass ${kind}` : kind;
}

/**
 * The detail of a `request.created` entry: kind and term first, then the clusters sharing a
 * grant's identity ({@link sharingWords}) and the pair's earlier drifted grants
 * ({@link driftedBeforeWords}) and its recent rejections and revocations by people
 * ({@link decidedBeforeWords}: ids and times, not their text) and what already gave the cluster
 * pull ({@link pullsThroughAuditWords}: ids only), then the justification. `asked` is the term the
 * requester asked for when the rule cut it (an auto-approving rule's maximum).
 */
export function createdDetail(request: AccessRequest, asked?: AccessTerm): string {
  let head = `${requestKindWords(request)} ${termWords(request.access)}`;
  const askedWords = asked && termWords(asked);
  if (askedWords && askedWords !== termWords(request.access)) head += ` (asked ${askedWords})`;
  const sharing = request.plan.kind === 'grant' ? sharingWords(request.plan, 'targets') : '';
  const drifted = driftedBeforeWords(request);
  const decided = decidedBeforeWords(request.decidedBefore);
  // What already gave the cluster pull when it was filed (overlap, or a pull secret's kubelet): ids only.
  const through = pullsThroughAuditWords(request);
  return `${head}${sharing ? `; ${sharing}` : ''}${drifted ? `; ${drifted}` : ''}${decided ? `; ${decided}` : ''}${through ? `; ${through}` : ''}: ${request.reason}`;
}

/**
 * The pair's earlier grants whose access was removed or changed outside acrbot
 * (`driftedBefore`), by id and drift time ("this pair's access was taken away outside acrbot
 * before (drift): R-… removed outside acrbot at …"). Empty when none was recorded.
 */
export function driftedBeforeWords(request: Pick<AccessRequest, 'driftedBefore'>): string {
  const drifted = request.driftedBefore ?? [];
  if (drifted.length === 0) return '';
  const each = drifted.map(
    (d) =>
      `${d.requestId} ${d.driftReason === 'changed' ? 'changed' : 'removed'} outside acrbot at ${d.driftDetectedAt}`,
  );
  return `this pair's access was taken away outside acrbot before (drift): ${each.join(', ')}`;
}

/**
 * The targets of a `request.created` entry: the cluster and the registry, then every other
 * cluster recorded as pulling with a grant's identity (its assignment gives each of them pull),
 * so the trail names every cluster that could pull.
 */
export function createdTargets(plan: Plan): string[] {
  const shared = plan.kind === 'grant' ? (plan.sharedWith?.clusters ?? []) : [];
  return [plan.cluster.id, plan.registry.id, ...shared.map((c) => c.id)];
}

/**
 * The clusters other than the plan's that pull with a grant's identity, and the subscriptions
 * where that could not be looked for (`sharedWith.unchecked`); empty when neither. `listed`:
 * "targets" when the entry's targets list every recorded cluster (then they are counted here),
 * "named" to name the first few by resource id and count the rest.
 */
export function sharingWords(plan: GrantPlan, listed: 'targets' | 'named'): string {
  const shared: SharedIdentity | undefined = plan.sharedWith;
  if (!shared) return '';
  const parts: string[] = [];
  const total = shared.clusters.length + shared.more;
  if (total > 0) {
    const clusters = `${total} other cluster${total === 1 ? '' : 's'}`;
    if (listed === 'targets')
      parts.push(
        `the identity is also the pull identity of ${clusters}${shared.clusters.length ? ` (${shared.clusters.length === 1 ? 'its id follows' : 'their ids follow'} the registry in the targets${shared.more ? `, ${shared.more} more not recorded` : ''})` : ''}, which can pull too`,
      );
    else {
      const named = shared.clusters.slice(0, SHARING_IDS_NAMED).map((c) => c.id);
      const rest = total - named.length;
      parts.push(
        `the identity is also the pull identity of ${clusters}, which can pull too: ${named.join(', ')}${rest > 0 ? ` and ${rest} more (request.created names the recorded ones)` : ''}`,
      );
    }
  }
  if (shared.unchecked.length) {
    const named = shared.unchecked.slice(0, UNCHECKED_NAMED).join(', ');
    const rest = shared.unchecked.length - UNCHECKED_NAMED;
    parts.push(
      `sharing unchecked in subscription${shared.unchecked.length === 1 ? '' : 's'} ${named}${rest > 0 ? ` and ${rest} more` : ''} (their clusters could not be listed)`,
    );
  }
  return parts.join('; ');
}
