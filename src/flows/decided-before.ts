/**
 * The read behind `AccessRequest.decidedBefore`: what people decided against a new request's
 * pair recently (domain/decided-before.ts), from the request store's pair index.
 */
import {
  DECIDED_BEFORE_RECORDED,
  DECIDED_BEFORE_TEXT_MAX,
  DECIDED_BEFORE_WINDOW_MS,
  type DecidedBefore,
  isApproverCorrection,
} from '../domain/decided-before';
import type { Plan } from '../domain/plan';
import type { RequestStore } from '../domain/ports';
import type { AccessRequest } from '../domain/request';
import { singleLine } from '../domain/text';

/**
 * How many of the pair's rejected and revoked requests are read, newest created first. Those
 * states only accumulate (every ended grant is `revoked`), so the newest are read; a revocation
 * of a grant made longer ago than this many of the pair's ended requests is not seen.
 */
export const PAIR_DECIDED_READ = 50;

/**
 * The pair's (`plan`'s cluster and registry, in `tenantId`) requests an approver rejected, and
 * those whose access a person revoked, within {@link DECIDED_BEFORE_WINDOW_MS} before `now`,
 * newest decision first, at most {@link DECIDED_BEFORE_RECORDED}. The pair, not the namespace
 * nor the kind: a grant refused can be asked for again as a pull secret in any namespace, and
 * the cluster then pulls from the registry all the same; an incident revocation is about that
 * pull too. Left out: another tenant's requests (ids alone do not tell tenants apart), access
 * acrbot ended itself (expired, drift, its own clean-ups: no `revokedBy`), access revoked by its
 * own requester (they gave it up: nothing was decided against them), access revoked by one of
 * its own approvers shortly after they approved it (their correction, `isApproverCorrection`:
 * they approved the wrong card, and nothing was wrong with the pair), and revoked extensions (the
 * original they ended with carries that revocation). One indexed read of the pair, newest first.
 *
 * A correction is left out, not shown as one: the fact is there to make the next approver stop
 * and think, and an approver's slip says nothing about the pair, however it is worded on the
 * card. It is not hidden from the record: the revoked request keeps who revoked it, and its
 * `access.revoked` entry says it was the approver's correction (access-end-notice.ts).
 */
export async function decidedOnPair(
  store: Pick<RequestStore, 'listByTarget'>,
  plan: Plan,
  tenantId: string,
  now: Date,
): Promise<DecidedBefore[]> {
  const ended = await store.listByTarget(
    plan.cluster.id,
    plan.registry.id,
    ['rejected', 'revoked'],
    PAIR_DECIDED_READ,
    'newestFirst',
  );
  const since = now.getTime() - DECIDED_BEFORE_WINDOW_MS;
  const found: DecidedBefore[] = [];
  for (const r of ended) {
    if (r.tenantId !== tenantId) continue;
    const d = decisionAgainst(r);
    if (!d) continue;
    const at = Date.parse(d.at);
    if (!(at >= since && at <= now.getTime())) continue;
    found.push(d);
  }
  found.sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
  return found.slice(0, DECIDED_BEFORE_RECORDED);
}

/** What a person decided against `r` (see {@link decidedOnPair}), or undefined. */
function decisionAgainst(r: AccessRequest): DecidedBefore | undefined {
  const where = r.plan.kind === 'secret' ? { secretNamespace: r.plan.namespace } : {};
  if (r.state === 'rejected') {
    const d = r.decision;
    if (!d || d.approved) return undefined;
    return { requestId: r.id, how: 'rejected', by: d.by, at: d.at, ...capped(d.reason), ...where };
  }
  const term = r.access;
  if (r.state !== 'revoked' || r.extendsRequestId || !term?.revokedBy || !term.revokedAt) return undefined;
  if (term.revokedBy.objectId.toLowerCase() === r.requester.objectId.toLowerCase()) return undefined;
  if (isApproverCorrection(r)) return undefined;
  return {
    requestId: r.id,
    how: 'revoked',
    by: term.revokedBy,
    at: term.revokedAt,
    ...capped(term.revokeReason),
    ...where,
  };
}

/** `text` on one line, cut to {@link DECIDED_BEFORE_TEXT_MAX} characters (never half of one), as `{ text }`; `{}` when blank. */
function capped(text: string | undefined): { text?: string } {
  const line = singleLine(text ?? '');
  if (!line) return {};
  const chars = Array.from(line);
  return {
    text: chars.length <= DECIDED_BEFORE_TEXT_MAX ? line : `${chars.slice(0, DECIDED_BEFORE_TEXT_MAX).join('')}…`,
  };
}
