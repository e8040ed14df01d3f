/**
 * A requester an expiry reminder cannot reach (they left: Teams refuses their chat, or acrbot
 * knows no conversation of theirs). Only they may extend their access, so without a word to
 * anyone else the workload's pull access would lapse at its end unnoticed: the rule's approvers
 * are told once per request, whichever reminder found the requester gone. An end notice that
 * did not reach them is reported too ({@link tellApproversEndNotTold}).
 */
import { formatUtc } from '../domain/access-term';
import type { AuditEntry } from '../domain/audit-chain';
import { LeaseLostError } from '../domain/ports';
import { ACRBOT_ACTOR, type AccessRequest } from '../domain/request';
import { type LifecycleDeps, recordAccessEvent } from './access-lifecycle-deps';

/** The audit action recorded once the approvers were told a request's requester is unreachable. */
export const REQUESTER_UNREACHABLE_TOLD = 'access.requesterUnreachable.told';

/** The key of that entry: one per request, whichever reminder (and instance) told. */
const toldKey = (requestId: string): string => `${REQUESTER_UNREACHABLE_TOLD}:${requestId}`;

/** How long a reminder's claim on telling the approvers holds: longer than a post with its retries. */
const CLAIM_MS = 5 * 60_000;

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
 * `reminderJobId` names the reminder claiming the report while it tells (two due at once).
 */
export async function tellApproversRequesterUnreachable(
  deps: Pick<LifecycleDeps, 'audit' | 'messenger' | 'settings' | 'log'>,
  request: AccessRequest,
  trail: readonly AuditEntry[],
  end: { at: string; credential: boolean },
  why: 'noConversation' | 'refused',
  reminderJobId: string,
): Promise<void> {
  const key = toldKey(request.id);
  if (trail.some((e) => e.idempotencyKey === key)) return;
  // Two reminders of one request due at once (both overdue after an outage; four job slots per
  // sweep, any instance) would each find no entry and both tell the approvers. The one holding
  // the claim tells; the other leaves it to it (it keys its entry, or leaves it for a later
  // reminder when the post fails). One owner per reminder job: a lease is re-entrant per owner.
  const leases = deps.settings.leases;
  const claim = leases
    ? await leases.store.acquire(
        `report.requesterUnreachable:${request.id}`,
        `${leases.owner}#${reminderJobId}`,
        CLAIM_MS,
      )
    : undefined;
  if (leases && !claim) return;
  try {
    // Read again under the claim: a reminder that held it may have told them since `trail` was read.
    const now = claim ? await deps.audit.forRequest(request.id) : trail;
    if (now.some((e) => e.idempotencyKey === key)) return;
    await tell(deps, request, end, why);
  } finally {
    // A claim not released ends by its TTL: the next reminder is hours away.
    if (claim)
      await leases!.store.release(claim).catch((err: unknown) => {
        if (!(err instanceof LeaseLostError))
          deps.log.error({ err, requestId: request.id }, 'releasing the unreachable-requester report claim');
      });
  }
}

/** Posts the report and records it: keyed once it went out, unkeyed `unposted` otherwise. */
async function tell(
  deps: Pick<LifecycleDeps, 'audit' | 'messenger'>,
  request: AccessRequest,
  end: { at: string; credential: boolean },
  why: 'noConversation' | 'refused',
): Promise<void> {
  const key = toldKey(request.id);
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
  const reason = notReachedBecause(why);
  const ends = end.credential ? "its pull secret's credential expires" : 'the access ends';
  // A credential's expiry leaves the access in place, but pulls with the secret fail; a permanent
  // secret's credential is renewed by nobody, and nothing about it can be extended.
  const then = end.credential ? 'pulls with the secret fail from then' : 'it ends then';
  const nobodyExtends = request.access?.permanent
    ? `Nothing renews it, although the access is permanent: ${then}.`
    : `Only ${who} can extend it, so ${then}.`;
  return (
    `${who}, who asked for ${request.id} (${cluster.name} pulling from ${registry.name}), could not be reminded that ${ends} at ${formatUtc(end.at)}: ${reason}. ` +
    `${nobodyExtends} If ${cluster.name} still needs to pull from ${registry.name} after that, someone else asks for that access anew (a new request, approved again).`
  );
}

/** Why a requester was not told: as the reminders audit it, and `unposted` for a post that failed. */
export type NotTold = 'noConversation' | 'refused' | 'unposted';

/**
 * Tells the approvers of `request`, which just ended, that its requester could not be told so
 * (`why`): pulls fail from now and nobody who knows would say why. Called once per end (its
 * `access.end.told` entry, written after, says whether this went out). Never throws: `true`
 * only when the report was posted.
 */
export async function tellApproversEndNotTold(
  deps: Pick<LifecycleDeps, 'messenger'>,
  request: AccessRequest,
  why: NotTold,
): Promise<boolean> {
  const { cluster, registry } = request.plan;
  const text =
    `${request.requester.name}, who asked for ${request.id} (${cluster.name} pulling from ${registry.name}), could not be told that this access ended: ${notReachedBecause(why)}. ` +
    `If ${cluster.name} still needs to pull from ${registry.name}, someone asks for that access anew (a new request, approved again).`;
  // reportToApprovers never throws: a failure is logged there and answered `false`.
  const posted = await deps.messenger.reportToApprovers(request, text, {
    title: `Requester not told of the end: ${request.id}`,
    tone: 'warning',
    requestFacts: true,
  });
  return posted === true;
}

/**
 * Why a requester was not reached, as the approvers' reports (of a reminder, of an end) and the
 * end's `access.end.told` entry say it.
 */
export function notReachedBecause(why: NotTold): string {
  return why === 'refused'
    ? 'Teams refused the post in their chat (acrbot is no longer in it; they may have left the organisation)'
    : why === 'noConversation'
      ? 'acrbot knows no conversation of theirs'
      : 'the post in their conversation failed';
}
