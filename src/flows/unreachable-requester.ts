/**
 * A requester an expiry reminder cannot reach (they left: Teams refuses their chat, or acrbot
 * knows no conversation of theirs). Only they may extend their access, so without a word to
 * anyone else the workload's pull access would lapse at its end unnoticed: the rule's approvers
 * are told once per request, whichever reminder found the requester gone.
 */
import { formatUtc } from '../domain/access-term';
import type { AuditEntry } from '../domain/audit-chain';
import { ACRBOT_ACTOR, type AccessRequest } from '../domain/request';
import { type LifecycleDeps, recordAccessEvent } from './access-lifecycle-deps';

/** The audit action recorded once the approvers were told a request's requester is unreachable. */
export const REQUESTER_UNREACHABLE_TOLD = 'access.requesterUnreachable.told';

/** The key of that entry: one per request, whichever reminder (and instance) told. */
const toldKey = (requestId: string): string => `${REQUESTER_UNREACHABLE_TOLD}:${requestId}`;

/**
 * Tells the approvers of `request` that its requester could not be reminded of its end (`at`;
 * `credential`: the pull secret's credential's expiry), unless an earlier reminder of it already
 * did (its keyed entry in `trail`, the request's audit as the reminder just read it: shared by
 * every instance, not this process's memory).
 * Called before the reminder's own entry is written, so a run that fails after telling is
 * retried and finds the entry: at least once, the entry once. The report itself never throws
 * (the messenger logs a post that failed); a failed entry throws and the job is retried.
 *
 * Only a report that went out is keyed: one that did not (no conversation to post in, the post
 * failed) is audited `unposted` without the key, so the next reminder of the request (whichever
 * instance runs it) tries again. Told once, once told; never marked told when nobody was.
 */
export async function tellApproversRequesterUnreachable(
  deps: Pick<LifecycleDeps, 'audit' | 'messenger'>,
  request: AccessRequest,
  trail: readonly AuditEntry[],
  end: { at: string; credential: boolean },
  why: 'noConversation' | 'refused',
): Promise<void> {
  const key = toldKey(request.id);
  if (trail.some((e) => e.idempotencyKey === key)) return;
  const posted = await deps.messenger.reportToApprovers(request, unreachableText(request, end, why), {
    title: `Requester not reachable: ${request.id}`,
    tone: 'warning',
    requestFacts: true,
  });
  if (posted !== true) {
    await recordAccessEvent(deps, request, ACRBOT_ACTOR, {
      action: REQUESTER_UNREACHABLE_TOLD,
      outcome: 'unposted',
      detail: `the approvers could not be told the requester could not be reminded (${why}): the report was not posted; the next reminder tries again; access ends ${end.at}`,
    });
    return;
  }
  await recordAccessEvent(deps, request, ACRBOT_ACTOR, {
    action: REQUESTER_UNREACHABLE_TOLD,
    outcome: 'sent',
    idempotencyKey: key,
    detail: `the approvers were told the requester could not be reminded (${why}); access ends ${end.at}`,
  });
}

/** The report: whose request, which pair, when it ends, and what to do if it is still needed. */
function unreachableText(
  request: AccessRequest,
  end: { at: string; credential: boolean },
  why: 'noConversation' | 'refused',
): string {
  const who = request.requester.name;
  const { cluster, registry } = request.plan;
  const reason =
    why === 'refused'
      ? 'Teams refused the post in their chat (acrbot is no longer in it; they may have left the organisation)'
      : 'acrbot knows no conversation of theirs';
  const ends = end.credential ? "its pull secret's credential expires" : 'the access ends';
  return (
    `${who}, who asked for ${request.id} (${cluster.name} pulling from ${registry.name}), could not be reminded that ${ends} at ${formatUtc(end.at)}: ${reason}. ` +
    `Only ${who} can extend it, so it ends then. If ${cluster.name} still needs to pull from ${registry.name} after that, someone else asks for that access anew (a new request, approved again).`
  );
}
