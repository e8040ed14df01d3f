/**
 * Extensions of granted access (G17): an approved extension's success moves its original's end to
 * its own (reminders with it), an extension revoked with its original ends with it, and at expiry
 * the family of requests that make up one access (an original and its extensions) is read and
 * ended together or carried on by the later end.
 */
import { credentialEnd } from '../domain/access-end';
import { VersionConflictError } from '../domain/ports';
import type { AccessRequest, Actor, RequestState } from '../domain/request';
import { transition } from '../domain/request';
import { pendingRetirementOf, replacedByStartedWrite, retiredCredentialOf } from '../domain/secret-ownership';
import { accessExpiryJobId, carriesRevoke } from './access-jobs';
import { type LifecycleDeps, recordAccessEvent } from './access-lifecycle-deps';
import { reminderJobIds, scheduleMovedEnd } from './access-reminders';
import { isDue } from './access-term';
import { followMovedEndOfPending } from './moved-end-waits';

/** AccessLifecycle.revokeSoon: how an extension ends with the original revoked while it ran. */
export type RevokeSoon = (request: AccessRequest, by: Actor, reason: string) => Promise<void>;

/**
 * The succeeded extensions of `request`, and extensions of those, newest first: approved
 * requests that moved its end (a secret's also rotated the credential into its secret). Read
 * from the store by the request's own `extendsRequestId` records, never from a cluster.
 */
export async function extensionsOf(
  deps: LifecycleDeps,
  request: AccessRequest,
  states: RequestState[] = ['succeeded'],
): Promise<AccessRequest[]> {
  const same = await deps.store.listByTarget(request.plan.cluster.id, request.plan.registry.id, states, 1000);
  const family = new Set([request.id]);
  const found: AccessRequest[] = [];
  for (let grew = true; grew;) {
    grew = false;
    for (const r of same)
      if (
        !family.has(r.id) &&
        r.extendsRequestId &&
        family.has(r.extendsRequestId) &&
        r.plan.kind === request.plan.kind
      ) {
        family.add(r.id);
        found.push(r);
        grew = true;
      }
  }
  return found.sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
}

/**
 * An approved extension succeeded: the original request's end moves to the extension's (a
 * grant re-creates nothing; a secret was rotated into the same secret by the extension run).
 */
export async function applyExtension(
  deps: LifecycleDeps,
  extension: AccessRequest,
  revokeSoon: RevokeSoon,
): Promise<void> {
  const original = await deps.store.get(extension.extendsRequestId!);
  const end = extension.access?.expiresAt;
  if (await endedWithRevokedOriginal(extension, original, revokeSoon)) return;
  // An original whose revocation began is ending: its end is not moved (the retry finishes it).
  if (!original || original.state !== 'succeeded' || original.access?.revokingSince || !end) return;
  const following = { ...deps, approvalTtlMs: deps.settings.approvalTtlMs };
  // Applied already (this success again, or a retry after the process stopped between the move
  // and the follow below): the extensions still waiting follow the end once more. Idempotent: an
  // extension that says the end already is left as it is, and each write is conditional.
  if (original.access?.extendedBy?.includes(extension.id)) return followMovedEndOfPending(following, original);
  const current = original.access?.expiresAt;
  if (current && Date.parse(current) >= Date.parse(end)) return;
  await recordAccessEvent(deps, original, extension.requester, {
    action: 'access.extended',
    outcome: 'extended',
    detail: `until ${end} by ${extension.id} (${extension.plan.kind === 'secret' ? rotationWords(extension) : 'nothing re-created'})`,
    // Two instances may apply one extension at once (the executor's follow-up and the expiry's
    // missed-move check): both read this version of the original, and the entry is written once.
    // A later try reads a newer version (whatever made the move fail wrote it) and says its own.
    idempotencyKey: `access.extended:${original.id}:${extension.id}:v${original.version}`,
  });
  const next = await moveEnd(deps, original, extension, end);
  if (!next) {
    deps.log.warn({ requestId: original.id, extension: extension.id }, 'original changed while extending; not moved');
    await recordAccessEvent(deps, original, extension.requester, {
      action: 'access.extended',
      outcome: 'failed',
      detail: `${original.id} changed meanwhile; its end was not moved by ${extension.id}`,
    });
    await endedWithRevokedOriginal(extension, await deps.store.get(original.id), revokeSoon);
    return;
  }
  // A revocation someone asked for may wait in the original's job (deferred while this
  // extension was granted, or failing and retried): the moved end must not turn it back into
  // a plain expiry. Only here: a request that has just succeeded cannot have one yet.
  // Its reminder jobs of every offset move with the end, those of another instance's setting too.
  const job = await deps.jobs.get(accessExpiryJobId(next.id));
  if (!carriesRevoke(job)) await scheduleMovedEnd(deps, next);
  // The original now ends when the extension does and reminds the requester of it (with an
  // Extend of the original): the extension's own reminders would say the same twice. Its end
  // job stays, in case the original's is lost; it ends with the original (see revoke).
  for (const id of await reminderJobIds(deps, extension.id)) await deps.jobs.cancel(id);
  await deps.cards.requestChanged(next);
  // Extensions of it still waiting say the new end ("Now ends"), and a wait cut to the old end
  // ("Decide by") no longer closes them as if the access ended then.
  await followMovedEndOfPending(following, next);
}

/**
 * Writes the original's end moved to `end` by `extension` (audited by the caller). A write that
 * lost to another one (a drift mark, a card's state) is made again on a fresh read while the
 * original is still active, not ending and not moved past `end`, at most three times; undefined
 * when it no longer can be (revoked or ending meanwhile, or still conflicting). A fresh read
 * that this extension already moved (the same success applied on another instance at once) is
 * the move made, and returned.
 */
async function moveEnd(
  deps: LifecycleDeps,
  original: AccessRequest,
  extension: AccessRequest,
  end: string,
): Promise<AccessRequest | undefined> {
  let base = original;
  for (let attempt = 1; ; attempt++) {
    const current = base.access?.expiresAt;
    const next = transition(base, {
      type: 'extend',
      at: deps.clock.now(),
      expiresAt: end,
      durationMs: Math.max(0, current ? Date.parse(end) - Date.parse(current) : 0),
      by: extension.id,
      // The extension's run rotated the secret to a credential with this expiry (the old one is
      // deleted): from now on it, not the original's plan, says when pulls with the secret stop.
      // An extension that an extension of its own rotated since (a chain) has that one's.
      ...(extension.plan.kind === 'secret' && {
        credentialExpiresAt: credentialEnd(extension) ?? extension.plan.expiresAt,
      }),
    });
    try {
      await deps.store.update(next);
      return next;
    } catch (err) {
      if (!(err instanceof VersionConflictError)) throw err;
      const fresh = await deps.store.get(original.id);
      // The same extension applied on another instance at once won the write: the move is made.
      if (fresh?.access?.extendedBy?.includes(extension.id)) return fresh;
      const movable =
        fresh?.state === 'succeeded' &&
        !fresh.access?.revokingSince &&
        !(fresh.access?.expiresAt && Date.parse(fresh.access.expiresAt) >= Date.parse(end));
      if (!movable || attempt >= 3) return undefined;
      base = fresh;
    }
  }
}

/**
 * Someone revoked the original in the moment after the revocation last looked for a running
 * extension and before this extension's run finished (it found the original still active): the
 * extension is the same access, so it ends now too, not at its own end. True when it did.
 */
async function endedWithRevokedOriginal(
  extension: AccessRequest,
  original: AccessRequest | undefined,
  revokeSoon: RevokeSoon,
): Promise<boolean> {
  const revokedBy = original?.state === 'revoked' ? original.access?.revokedBy : undefined;
  if (!revokedBy) return false;
  await revokeSoon(extension, revokedBy, `${original!.id}, which it extends, was revoked while it ran`);
  return true;
}

/**
 * At the expiry of `original`: its extensions that succeeded without moving its end (the
 * follow-up after their success failed — an audit or store write, logged and not run again — or
 * the process stopped in between) and end later make that move now, oldest first, as at their
 * success ({@link applyExtension}: audited, the end job and reminders rescheduled, the cards
 * redrawn). Without it the original would end alone and its requester hear "Expired and
 * revoked" of access the extension keeps. True when the original, read afresh, is no longer due.
 */
export async function movedByMissedExtensions(
  deps: LifecycleDeps,
  original: AccessRequest,
  family: readonly AccessRequest[],
  now: Date,
  revokeSoon: RevokeSoon,
): Promise<boolean> {
  const missed = family.filter(
    (e) =>
      e.extendsRequestId === original.id &&
      !original.access?.extendedBy?.includes(e.id) &&
      !e.access?.revokingSince &&
      e.access?.expiresAt !== undefined &&
      !isDue(e, now),
  );
  if (!missed.length) return false;
  deps.log.warn(
    { requestId: original.id, extensions: missed.map((e) => e.id) },
    'an extension had not moved the end of the access it extends; moved at its end',
  );
  // extensionsOf lists newest first; each move reads the original afresh.
  for (const extension of [...missed].reverse()) await applyExtension(deps, extension, revokeSoon);
  const fresh = await deps.store.get(original.id);
  return fresh?.state === 'succeeded' && !isDue(fresh, now);
}

/** Most originals {@link originalEndingWith} climbs through: far more than a chain of extensions has. */
const MAX_CHAIN_HOPS = 10;

/**
 * The original of `extension` when its end was moved to the extension's and is due now (the
 * extension moved it), so both end in one revocation; undefined otherwise. Followed up a chain:
 * an extension of an extension (filed on one that had not yet moved its own original's end, which
 * it moved later) ends with the first original whose end the chain moved, whose revocation takes
 * every extension of it along (extensionsOf). Stopping at the middle one would end it and the
 * last one alone, and delete the secret they share while the first original still holds it.
 */
export async function originalEndingWith(
  deps: LifecycleDeps,
  extension: AccessRequest,
  now: Date,
): Promise<AccessRequest | undefined> {
  let ending: AccessRequest | undefined;
  for (let current = extension, hops = 0; current.extendsRequestId && hops < MAX_CHAIN_HOPS; hops++) {
    const original = await deps.store.get(current.extendsRequestId);
    const endsWith =
      original?.state === 'succeeded' && original.access?.extendedBy?.includes(current.id) && isDue(original, now);
    if (!endsWith) break;
    ending = current = original;
  }
  return ending;
}

/**
 * The later end of the original of `extension` when it still carries the extension's access
 * past `now`: the extension moved the original's end (`extendedBy`), the original is active and
 * not being revoked, and a later extension has moved its end beyond this one's since. Undefined
 * otherwise (the extension then ends at its own end, alone or with its original).
 */
export async function carryingOriginalEnd(
  deps: LifecycleDeps,
  extension: AccessRequest,
  now: Date,
): Promise<string | undefined> {
  if (!extension.extendsRequestId) return undefined;
  const original = await deps.store.get(extension.extendsRequestId);
  if (original?.state !== 'succeeded' || original.access?.revokingSince) return undefined;
  if (!original.access?.extendedBy?.includes(extension.id) || isDue(original, now)) return undefined;
  return original.access.expiresAt;
}

/**
 * What a secret extension's rotation did to the credential before it, from its own records (the
 * write's `replaces`, the outcome): the `access.extended` entry says what was retired, not what a
 * rotation usually does.
 */
function rotationWords(extension: AccessRequest): string {
  const replaced = replacedByStartedWrite(extension)?.requestId;
  const written = extension.outcome?.secret?.action === 'created' ? 'the secret written anew' : 'the same secret';
  if (!replaced) return `new credential in ${written}; no earlier credential was retired`;
  // The clean-up job takes `retirement` away once it deleted the credential (and keeps it when
  // refused): a run's `pending` with the mark gone was deleted on a later try.
  const pending = pendingRetirementOf(extension)?.requestId === replaced;
  switch (retiredCredentialOf(extension, replaced)) {
    case 'deleted':
      return `new credential in ${written}; the old one, ${replaced}'s, deleted`;
    case 'pending':
      return pending
        ? `new credential in ${written}; the old one, ${replaced}'s, is deleted in the background`
        : `new credential in ${written}; the old one, ${replaced}'s, deleted on a later try`;
    case 'none':
      return `new credential in ${written}; acrbot's records vouched for no credential of ${replaced}'s to delete`;
    case 'left':
      return `new credential in ${written}; the old one, ${replaced}'s, was not deleted: the token under its name is not the one acrbot made (see credential.cleanup, notOurs)`;
    default:
      return `new credential in ${written}; the old one, ${replaced}'s, was not deleted (see the extension's audit entries)`;
  }
}
