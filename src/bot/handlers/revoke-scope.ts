/**
 * What the revokes of many requests at once share (`revoke CLUSTER REGISTRY`, a pair's, and
 * `revoke registry NAME`, a registry's from every cluster): who may ask, which of the requests
 * there this approver may revoke and which are left to others, the requests there not run yet,
 * and the answer when none is theirs to revoke. The card and its click both read through it, so
 * both see the same list.
 */
import { formatUtc } from '../../domain/access-term';
import { UserFacingError } from '../../domain/errors';
import { leftToNobody } from '../../domain/decided-rule';
import type { AccessRequest } from '../../domain/request';
import type { RevocationLine } from '../../domain/revocation-step-words';
import { ofTenant } from '../../domain/tenant-boundary';
import { cutText } from '../../domain/text';
import type { Listing } from '../../flows/revocation-draw-reads';
import { type ActiveRead, PAIR_REVOKE_LIMIT, REVOKE_READ_LIMIT } from '../../flows/revocation-preview';
import type { AdaptiveCardJson } from '../../views/card-templates';
import { lifecycleNoticeCard, type SeveralRevokeInput } from '../../views/lifecycle-view';
import { notRunYetNote } from '../../views/not-run-yet-note';
import type { BotServices } from '../bot-services';
import type { TurnIdentity } from '../turn-identity';

/** The requests there not run yet, as the flows read them (revocation-preview.ts `waitingOn`). */
type NotRunYet = { requests: readonly AccessRequest[]; full: boolean };

/**
 * Refuses, audited, someone who is no approver a revoke of many requests (`what`: "a cluster and
 * registry", "a registry"), as a refused revoke of one request is (access-actions.ts), with its
 * code; no request and no resolved target (nothing is looked up for someone who may not do it):
 * `typed`, the names as typed, each cut to a name's length (the audit scrubs and escapes details).
 */
export async function refuseUnlessApprover(
  services: BotServices,
  identity: TurnIdentity,
  what: string,
  typed: readonly string[],
): Promise<void> {
  const { requests } = services;
  if (await requests.isApprover(identity.actor)) return;
  const refusal = new UserFacingError(
    'revoke.notApprover',
    `Only approvers may revoke every grant on ${what}; you can revoke your own request with "revoke REQUEST-ID".`,
  );
  await requests.recordRefusal({
    actor: identity.actor,
    tenantId: identity.tenantId,
    action: 'revoke.refused',
    outcome: refusal.code,
    detail: `revoke ${typed.map((t) => cutText(t, 100)).join(' ')}`,
  });
  throw refusal;
}

/**
 * What a revoke of many finds there, for its answer and its click (both read it alike, so the
 * click's ids and fingerprint compare with the card's): the active requests of the asker's
 * tenant (`active`); those this approver may revoke that one card carries (`mine`, each once, in
 * the order read: an extension listed without its original is its original), and how many more
 * of theirs it leaves for the next ask (`beyond`); those left to other rules' approvers (`left`);
 * those this approver may revoke that are being revoked already (`running`, each once), neither
 * listed nor left to others; `elsewhere` counts another tenant's (tenant-boundary.ts), neither
 * listed nor revoked; `full`: the read stopped at its cap; `listings`: the read's own, for the
 * preview of `mine` (ActiveRead).
 */
export interface Revocable {
  active: AccessRequest[];
  mine: AccessRequest[];
  beyond: number;
  left: AccessRequest[];
  running: AccessRequest[];
  elsewhere: number;
  full: boolean;
  listings: readonly Listing[];
}

/** Of the active acrbot requests read there (`read`, every tenant's), what {@link Revocable} says. */
export async function revocableOf(services: BotServices, identity: TurnIdentity, read: ActiveRead): Promise<Revocable> {
  const there = read.requests;
  const active = there.filter((r) => ofTenant(r, identity.tenantId));
  // Only what this approver may revoke (its rule's approvers, as for one request): the card
  // neither offers what the click would refuse nor shows other rules' requesters.
  const answers = await services.lifecycle.actions.revocationAnswers(identity, active);
  const once = (found: Array<AccessRequest | undefined>) => [
    ...new Map(found.flatMap((t) => (t ? [[t.id, t] as const] : []))).values(),
  ];
  const all = once(answers.map((a) => a.target));
  // Being revoked already (a click before, its run retrying): said as such, not as another rule's.
  const left = active.filter((_, i) => !answers[i]!.target && !answers[i]!.running);
  return {
    active,
    // The oldest first, as read: revoking them lets the next ask reach the rest.
    mine: all.slice(0, PAIR_REVOKE_LIMIT),
    beyond: Math.max(0, all.length - PAIR_REVOKE_LIMIT),
    left,
    running: once(answers.map((a) => a.running)),
    elsewhere: there.length - active.length,
    full: read.full,
    listings: read.listings,
  };
}

/**
 * The sentence saying a revoke's read stopped at its cap (REVOKE_READ_LIMIT), in every answer
 * (the card, "Nothing you may revoke", "Nothing to revoke"), so none reads as "nothing left":
 * `where` ("on contosoacr"), `instead` what reaches the requests it did not read.
 */
export function cutReadNote(where: string, instead: string): string {
  return `acrbot read only the first ${REVOKE_READ_LIMIT} requests ${where} (the oldest); there may be more, yours among them, that this answer does not count: ${instead}`;
}

/** The sentence counting this approver's requests beyond what one card carries, for the next ask. */
function beyondNote(beyond: number): string | undefined {
  if (beyond === 0) return undefined;
  return `${beyond} more that you may revoke ${beyond === 1 ? 'is' : 'are'} not on this card, which carries at most ${PAIR_REVOKE_LIMIT}: once these are revoked, ask again.`;
}

/**
 * The requests there not run yet (notRunYetNote), read alongside the active ones. A failed read
 * leaves the note out rather than the card (the revoke does not depend on it), logged as `failed`.
 */
function notRunYet(
  services: BotServices,
  read: () => Promise<NotRunYet>,
  failed: string,
): Promise<NotRunYet | undefined> {
  return read().catch((err: unknown) => {
    services.log.warn({ err }, failed);
    return undefined;
  });
}

/**
 * The sentence naming the requests there of the asker's tenant that have not run yet (pending,
 * approved and not started, or being granted now): the revoke leaves them, and each would grant
 * again. They are named, not rejected (an approver decides). An extension of a request this
 * revoke ends (`mine`) is not one of them: the revoke closes it, approving it is refused and one
 * approved fails; an extension of a request it leaves is named.
 */
function waitingNote(
  identity: TurnIdentity,
  notRun: NotRunYet | undefined,
  mine: readonly AccessRequest[],
): string | undefined {
  if (!notRun) return undefined;
  const ending = new Set(mine.map((r) => r.id));
  const waiting = notRun.requests.filter(
    (r) => ofTenant(r, identity.tenantId) && !(r.extendsRequestId && ending.has(r.extendsRequestId)),
  );
  return notRunYetNote(waiting, notRun.full);
}

/**
 * Why requests there are left out of an approver's revoke, a count and its words each: the rules
 * they are bound to, whose approvers may revoke them ("are under rule prod, whose approvers can
 * revoke them"); apart, those no rule in force covers any more whose approvers are all gone from
 * the policy ({@link leftToNobody}): nobody but their requester may revoke those, in the words of
 * one request's refusal (notRevokerMessage), so "whose approvers can" would send the reader to
 * nobody.
 */
function othersNotes(services: BotServices, left: readonly AccessRequest[]): Array<{ count: number; text: string }> {
  const ruleOf = (r: AccessRequest) => services.requests.ruleOf(r);
  const nobody = left.filter((r) => leftToNobody(ruleOf(r)));
  const ruled = left.filter((r) => !leftToNobody(ruleOf(r)));
  const named = (requests: readonly AccessRequest[]) => {
    const rules = [...new Set(requests.map((r) => ruleOf(r)?.id ?? r.policy?.ruleId ?? 'default'))];
    return rules.length === 1 ? `rule ${rules[0]}` : `rules ${rules.join(', ')}`;
  };
  const one = (n: number, singular: string, plural: string) => (n === 1 ? singular : plural);
  // A registry's revoke meets them on several clusters: each pair needs a rule, not "the pair".
  const pairs = new Set(nobody.map((r) => `${r.plan.cluster.id}\n${r.plan.registry.id}`)).size;
  const covering = pairs === 1 ? 'a rule covering the pair is' : `rules covering their ${pairs} pairs are`;
  return [
    ruled.length > 0 && {
      count: ruled.length,
      text: `${one(ruled.length, 'is', 'are')} under ${named(ruled)}, whose approvers (or the requester) can revoke ${one(ruled.length, 'it', 'them')}`,
    },
    nobody.length > 0 && {
      count: nobody.length,
      text: `${one(nobody.length, 'is', 'are')} covered by no rule of the approval policy in force any more, and none of the approvers ${named(nobody)} had is in the policy, so nobody but ${one(nobody.length, 'its requester', 'their requesters')} may revoke ${one(nobody.length, 'it', 'them')} until ${covering} added`,
    },
  ].filter((note): note is { count: number; text: string } => Boolean(note));
}

/**
 * Why requests there this approver may revoke are not on the card: they are being revoked
 * already, since the earliest of their marks, in the words of one request's `revoke.running`
 * refusal (revokeRunning, access-lifecycle.ts) ("are being revoked already (since …); acrbot
 * retries …").
 */
function runningNote(running: readonly AccessRequest[]): string {
  const since = running.map((r) => r.access?.revokingSince ?? '').sort()[0];
  const one = running.length === 1;
  return `${one ? 'is' : 'are'} being revoked already${since ? ` (since ${formatUtc(since)})` : ''}; acrbot retries the step that failed until it is done, and ${one ? 'its card then says' : 'their cards then say'} "Revoked"`;
}

/**
 * The answer when no active acrbot request `where` ("on aks-prod → contosoacr") is this
 * approver's to revoke now: those another rule's (`left`, why) and those being revoked already
 * (`running`), that the read stopped at its cap (`cut`, {@link cutReadNote}) and the requests
 * there not run yet (`waiting`), as the other answers name them.
 */
function nothingYouMayRevoke(
  services: BotServices,
  where: string,
  notMine: { left: readonly AccessRequest[]; running: readonly AccessRequest[] },
  waiting: string | undefined,
  cut?: string,
): AdaptiveCardJson {
  const { left, running } = notMine;
  const notes = [
    ...othersNotes(services, left),
    ...(running.length ? [{ count: running.length, text: runningNote(running) }] : []),
  ];
  const why =
    notes.length > 1
      ? `Of the active acrbot requests ${where}, ${notes.map((n) => `${n.count} ${n.text}`).join(', and ')}`
      : `The active acrbot request${left.length + running.length === 1 ? '' : 's'} ${where} ${notes[0].text}`;
  return lifecycleNoticeCard({
    title: 'Nothing you may revoke',
    text: [`${why}; nothing was changed.`, cut, waiting].filter(Boolean).join(' '),
    ok: false,
    sandbox: services.settings.sandbox,
  });
}

/**
 * Whether a click's ids are those the card drawn now would carry (`listed`): a forged card
 * naming requests of another pair or registry beside them (which the fingerprint, taken from
 * the first, does not see) is redrawn, not acted on.
 */
export function sameIds(ids: readonly string[], listed: readonly AccessRequest[]): boolean {
  const now = new Set(listed.map((r) => r.id.toUpperCase()));
  return ids.length === now.size && ids.every((id) => now.has(id.toUpperCase()));
}

/** What a revoke of many passes its confirmation card besides its own fields (SeveralRevokeInput). */
type SeveralNotes = Pick<SeveralRevokeInput, 'leftOut' | 'waiting' | 'beyond' | 'cut'>;

/**
 * The answer to a revoke of many (a pair's, a registry's), as both build it: `targets` read with
 * the requests there not run yet (`waitingRead`, `waitingFailed` logged if it fails); "Nothing to
 * revoke" (`nothingText`, given the count of another tenant's) when none of the tenant's is
 * active; {@link nothingYouMayRevoke} when none is this approver's; else `confirm`, their
 * preview taken together. `where` ("on contosoacr") and `cutInstead` word the cut read's note.
 */
export async function severalRevokeCard(
  services: BotServices,
  identity: TurnIdentity,
  s: {
    targets: Promise<Revocable>;
    waitingRead: () => Promise<NotRunYet>;
    waitingFailed: string;
    where: string;
    cutInstead: string;
    nothingText: (elsewhere: number) => string | Promise<string>;
    confirm: (
      notes: SeveralNotes,
      previews: Array<{ request: AccessRequest; lines: RevocationLine[] }>,
      elsewhere: number,
    ) => AdaptiveCardJson;
  },
): Promise<AdaptiveCardJson> {
  const [{ active, mine, beyond, left, running, elsewhere, full, listings }, notRun] = await Promise.all([
    s.targets,
    notRunYet(services, s.waitingRead, s.waitingFailed),
  ]);
  const waiting = waitingNote(identity, notRun, mine);
  // The read stopped at its cap: every answer says so, so none reads as "nothing left".
  const cut = full ? cutReadNote(s.where, s.cutInstead) : undefined;
  if (active.length === 0)
    return lifecycleNoticeCard({
      title: 'Nothing to revoke',
      text: [await s.nothingText(elsewhere), cut, waiting].filter(Boolean).join(' '),
      ok: true,
      sandbox: services.settings.sandbox,
    });
  if (mine.length === 0) return nothingYouMayRevoke(services, s.where, { left, running }, waiting, cut);
  // Previewed as one action: a role assignment held only by requests in it is deleted by the
  // last of them (see confirmRevoke), not kept. The active read's listing serves theirs.
  const previews = await services.lifecycle.flow.previewTogether(mine, listings);
  const notes = {
    ...((left.length > 0 || running.length > 0) && {
      leftOut: [
        ...othersNotes(services, left).map((n) => `${n.count} more ${n.text}.`),
        running.length > 0 && `${running.length} more ${runningNote(running)}.`,
      ]
        .filter(Boolean)
        .join(' '),
    }),
    ...(waiting && { waiting }),
    beyond: beyondNote(beyond),
    cut,
  };
  return s.confirm(notes, previews, elsewhere);
}
