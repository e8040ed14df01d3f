/**
 * `revoke`, `extend`, `cancel REQUEST-ID REASON…`, and their card clicks (G17). Every click re-reads the request from the
 * store and checks who is acting (G3): the requester may revoke their own access, approvers
 * anyone's; an extension is a new request approved like any other (never by its requester).
 */
import type { TurnContext } from 'botbuilder';
import { z } from 'zod/v3';
import type { Command } from '../../domain/command';
import { acrbotNamedText } from '../../domain/access-inventory';
import { isUserFacing, UserFacingError } from '../../domain/errors';
import { checkReason, cutText, REASON_LIMITS } from '../../domain/text';
import { isRequestId } from '../../domain/identifiers';
import { parseClusterRef, parseRegistryRef } from '../../domain/names';
import type { AccessRequest } from '../../domain/request';
import { revokeReason } from '../../flows/access-actions';
import { FailedIds } from '../../flows/failed-ids';
import { readInTenant, refusedOutsideTenant } from '../../flows/tenant-refusal';
import { PAIR_REVOKE_LIMIT } from '../../flows/revocation-preview';
import type { AdaptiveCardJson } from '../../views/card-templates';
import { lifecycleNoticeCard, revokeConfirmCard, revokePairConfirmCard } from '../../views/lifecycle-view';
import { requestCard } from '../../views/request-view';
import { cancelledNotice } from '../../views/ask-again-command';
import type { BotServices } from '../bot-services';
import { currentCorrelationId } from '../../observability/correlation';
import type { TurnIdentity } from '../turn-identity';
import { auditBadCardData, auditValidationFailure } from '../validation-audit';
import { auditLimitRefusal, isGateRefusalCode } from '../../flows/limit-audit';
import { activityKeyOf, originOf } from '../conversation-targets';
import { errorCardFor as errorCard, gateRefusalTitle, sendCard } from '../turn-cards';
import type { RequestHandler } from './request-handler';
import type { OwnCards } from '../own-cards';
import { mistypedRequestId, punctuatedRequestId } from '../../domain/request-id-word';
import { fingerprintScope, revocationFingerprint } from '../../domain/revocation-fingerprint';
import { ofTenant } from '../../domain/tenant-boundary';
import { isOtherTenant } from '../../domain/own-tenant';
import { mapAtMost } from '../../domain/bounded-map';
import { RegistryRevoke } from './registry-revoke';
import { refuseUnlessApprover, type Revocable, revocableOf, sameIds, severalRevokeCard } from './revoke-scope';

const revokeData = z.object({
  // Every id of a pair's or registry's confirmation card, comma-separated (R- and 8 characters each).
  requestId: z
    .string()
    .max(PAIR_REVOKE_LIMIT * 11)
    .refine((v) => v.split(',').every(isRequestId), 'not request ids'),
  reason: z.string().max(2000).optional(),
  /**
   * What the card listed (revocationFingerprint); a number on a card drawn by an older acrbot,
   * which never matches. Absent only from a hand-made invoke: taken as it comes (its sender may
   * revoke anyway, and could click a fresh card).
   */
  version: z.union([z.string().max(100), z.number()]).optional(),
});

/**
 * Reads and revoke writes of one click in flight at once. A registry card carries 200 ids, each a
 * few store round trips: one at a time, Azure's latency adds up towards the ~15 s Teams waits for
 * a click's answer; all at once would press one table partition with hundreds of parallel
 * requests (bounded-map.ts).
 */
const REVOKE_CLICK_AT_ONCE = 8;

/** One id of a drawn card as its click read it: the request, or why it is not there for the clicker. */
type IdRead = { request: AccessRequest } | { refused: UserFacingError };

/** The request of an id's read, or its refusal thrown again (the same words, audited once when read). */
function readOf(read: IdRead): AccessRequest {
  if ('refused' in read) throw read.refused;
  return read.request;
}

/** Most ids a revoke click's answer names in its title; more are counted there (and named below it). */
const TITLE_IDS_AT_MOST = 3;

/** The answer's line for an id of a revoke click that was not started (an unexpected error counted in `failures`). */
function refusalLine(id: string, err: unknown, failures: FailedIds): string {
  if (err instanceof UserFacingError) return `${id}: ${err.message}`;
  failures.add(id, err);
  return `${id}: could not be started because of an unexpected error; nothing was revoked (reference ${currentCorrelationId() ?? id}).`;
}

/**
 * The Extend button's data. The reason and duration are the user's typing: only their type is
 * checked here, their length by the domain's validators ({@link checkedTyping}), so that a long
 * reason gets the sentence the chat command gives ("The reason is N characters long…") rather
 * than the damaged-card refusal. Their size is bounded by the invoke's body limit.
 */
const extendData = z.object({
  requestId: z.string().refine(isRequestId, 'not a request id'),
  duration: z.string().optional(),
  reason: z.string().optional(),
  // The access end the reminder was drawn with; empty or absent on cards posted before it was carried.
  endsAt: z.union([z.literal(''), z.string().datetime()]).optional(),
});

/**
 * The refusal of an Extend click whose data is not what acrbot's reminder carries (a forged or
 * broken card): what was wrong with it, and the command to type instead. An id that is fine is
 * named in that command (it is a request id's letters and digits only); the rest is not echoed.
 */
function unreadExtendCard(data: unknown): UserFacingError {
  const requestId = (data as { requestId?: unknown } | null | undefined)?.requestId;
  if (typeof requestId !== 'string' || !isRequestId(requestId))
    return new UserFacingError(
      'validation.usage',
      'The card did not carry a valid request id; type "@acrbot extend REQUEST-ID --for 30d REASON…" instead, with the id on your request\'s card.',
    );
  return new UserFacingError(
    'validation.usage',
    `The card's duration or reason could not be read; type "@acrbot extend ${requestId} --for 30d REASON…" instead.`,
  );
}

/** Handles revoke and extend. */
export class LifecycleHandler {
  /** `revoke registry NAME`: its card and its click's check (registry-revoke.ts). */
  private readonly registryRevoke: RegistryRevoke;

  constructor(
    private readonly services: BotServices,
    private readonly requestsHandler: RequestHandler,
    /** The reminders acrbot posted: only those may become an extension's copy (own-cards.ts). */
    private readonly ownCards: OwnCards,
  ) {
    this.registryRevoke = new RegistryRevoke(services);
  }

  /** `revoke REQUEST-ID REASON…`, `revoke CLUSTER REGISTRY REASON…` or `revoke registry NAME REASON…` (the reason optional): the confirmation card. */
  async revokeCommand(ctx: TurnContext, identity: TurnIdentity, command: Extract<Command, { verb: 'revoke' }>) {
    await this.reply(ctx, await this.revokePreview(identity, command));
  }

  private async revokePreview(
    identity: TurnIdentity,
    command: Extract<Command, { verb: 'revoke' }>,
  ): Promise<AdaptiveCardJson> {
    const { requests, lifecycle } = this.services;
    try {
      // Optional in chat; when given, the rules of every reason (length, nothing secret-looking:
      // it goes into the audit trail and the requester's notice, G12). A pair revoke checks its
      // reason only after both names resolve, so a mistyped form is answered as such, not as a
      // too-short reason.
      const checkedReason = () => (command.reason ? revokeReason(command.reason) : undefined);
      if (command.requestId) {
        const reason = checkedReason();
        // Another tenant's request is not there for them (tenant-boundary.ts), as in the tab.
        const asked = await readInTenant(this.services, identity, 'revoke', command.requestId);
        // An extension's id: the access it is part of (the card says so and lists all of it).
        const target = await this.mayRevoke(identity, asked);
        return revokeConfirmCard(target, await lifecycle.flow.preview(target), reason, { asked });
      }
      // "revoke R-7K2M9QXA. no longer needed" is no cluster and registry: said as what it is,
      // not as a name rule or a refusal to a requester who never asked to revoke a pair; a typo
      // told back, not audited, as `status`, `extend` and `audit` tell it.
      const first = command.scope === 'registry' ? command.registry : command.cluster;
      const punctuated = punctuatedRequestId(first, 'revoke {id} REASON…');
      if (punctuated) return errorCard(this.services, punctuated, 'Could not revoke');
      if (command.scope === 'registry') return await this.registryRevoke.preview(identity, first, checkedReason);
      if (command.scope === 'cluster') throw wholeClusterForm(command.cluster);
      if (!command.cluster || !command.registry)
        throw new UserFacingError(
          'validation.usage',
          'Say what to revoke: "revoke REQUEST-ID REASON…", or (approvers) "revoke CLUSTER REGISTRY REASON…" or "revoke registry REGISTRY REASON…" (the reason optional).',
        );
      await refuseUnlessApprover(this.services, identity, 'a cluster and registry', [
        command.cluster,
        command.registry,
      ]);
      const { cluster, registry } = await this.resolvePair(command.cluster, command.registry);
      return await this.pairPreview(identity, cluster, registry, checkedReason());
    } catch (err) {
      // A bad name or form is audited as any command's (G10); other refusals audit themselves.
      await auditValidationFailure(requests, identity, err);
      return errorCard(this.services, err, 'Could not revoke');
    }
  }

  /**
   * The cluster and registry of `revoke CLUSTER REGISTRY`, resolved as every command resolves
   * them. A first name that is no cluster is looked up as a registry (only then: nothing more is
   * read when it is a cluster): it gets the forms revoke takes and the command that lists the
   * clusters pulling from that registry, rather than "no cluster named …" or a refusal of the
   * words after it as a reason.
   */
  private async resolvePair(clusterText: string, registryText: string) {
    const { resolver } = this.services.lifecycle;
    const clusterRef = parseClusterRef(clusterText);
    // A second word that is no registry's name ("revoke contosoacr suspected-leak") is said as
    // such once the first is known to be a cluster; if it is a registry, the form is the mistake.
    const [cluster, registry] = await Promise.allSettled([
      resolver.resolveCluster(clusterRef),
      // Parsed inside the promise: a bad second word is weighed with the cluster's answer, not thrown first.
      Promise.resolve(registryText).then((text) => resolver.resolveRegistry(parseRegistryRef(text))),
    ]);
    if (cluster.status === 'fulfilled' && registry.status === 'fulfilled')
      return { cluster: cluster.value, registry: registry.value };
    if (cluster.status === 'fulfilled') throw (registry as PromiseRejectedResult).reason;
    const notACluster = cluster.reason as unknown;
    if (!(notACluster instanceof UserFacingError) || notACluster.code !== 'cluster.notFound') throw notACluster;
    const asRegistry = await this.registryNamed(clusterText);
    if (asRegistry) throw wrongRevokeForm(`${asRegistry} is a registry, not a cluster`, asRegistry);
    throw notACluster;
  }

  /** The registry `text` names, if it is one acrbot finds; undefined for anything else. */
  private async registryNamed(text: string): Promise<string | undefined> {
    try {
      return (await this.services.lifecycle.resolver.resolveRegistry(parseRegistryRef(text))).name;
    } catch (err) {
      // Not a registry's name, or none found: the cluster's own error is the answer.
      if (err instanceof UserFacingError) return undefined;
      throw err;
    }
  }

  /**
   * The confirmation card of `revoke CLUSTER REGISTRY`: every active acrbot request on the pair
   * this approver may revoke, previewed together. `changed`: drawn again by a click on an older
   * copy whose list changed since.
   */
  private async pairPreview(
    identity: TurnIdentity,
    cluster: { id: string; name: string },
    registry: { id: string; name: string },
    reason: string | undefined,
    changed = false,
  ): Promise<AdaptiveCardJson> {
    const { lifecycle, settings } = this.services;
    return severalRevokeCard(this.services, identity, {
      targets: this.pairTargets(identity, cluster.id, registry.id),
      waitingRead: () => lifecycle.flow.waitingOn(cluster.id, registry.id),
      waitingFailed: "revoke: the pair's requests not run yet could not be read to name them",
      where: `on ${cluster.name} → ${registry.name}`,
      // What the pair's read did not read is reached one request at a time.
      cutInstead: `revoke them one at a time ("@acrbot revoke REQUEST-ID"); "@acrbot access ${registry.name}" lists every cluster that can pull from it.`,
      // Another tenant's grants are that tenant's to revoke; the access card names them as such.
      nothingText: (elsewhere) =>
        elsewhere
          ? `acrbot has no active grant of ${cluster.name} on ${registry.name} for a request of your organisation (tenant); those of another tenant are not revoked from here.`
          : this.nothingOfOursText(identity, cluster, registry),
      confirm: (notes, previews) =>
        revokePairConfirmCard(
          { cluster: cluster.name, registry: registry.name, sandbox: settings.sandbox, reason, changed, ...notes },
          previews,
        ),
    });
  }

  /**
   * Why `revoke CLUSTER REGISTRY` finds nothing on a pair with no acrbot request of its tenant:
   * access granted outside acrbot is not acrbot's to revoke, and an assignment only named as
   * acrbot names its grants is not either (G15: the name is a hint), whether no record in this
   * store refers to it (a store switched or restored) or it was made again after the asker's
   * tenant's grant there ended; the sentence names it as `access` and `check` do
   * (acrbotNamedText). Reading the pair's assignments may fail: the plain sentence then, as before.
   */
  private async nothingOfOursText(
    identity: TurnIdentity,
    cluster: { id: string; name: string },
    registry: { id: string; name: string },
  ) {
    const plain = `acrbot has no active grant of ${cluster.name} on ${registry.name}; access granted outside acrbot is not acrbot's to revoke.`;
    const named = await this.services.inventory
      .acrbotNamedOnPair(cluster.id, registry.id, identity.tenantId)
      .catch((err: unknown) => {
        this.services.log.warn(
          { err },
          "revoke: the pair's role assignments could not be read to name those under acrbot's name",
        );
        return [];
      });
    // Those named alike share one sentence, as all of them did before some were made again.
    const byWords = new Map<string, string[]>();
    for (const a of named) {
      const words = acrbotNamedText(a);
      byWords.set(words, [...(byWords.get(words) ?? []), a.name]);
    }
    const sentences = [...byWords].map(([words, names]) => {
      const which =
        names.length === 1 ? `Role assignment ${names[0]} there is` : `Role assignments ${names.join(', ')} there are`;
      return `${which} ${words}.`;
    });
    return [plain, ...sentences].join(' ');
  }

  /**
   * The requests of a pair's confirmation card, read from the store now (revocableOf): the card is
   * drawn from it and its click compares with it, so both see the same list.
   */
  private async pairTargets(identity: TurnIdentity, clusterId: string, registryId: string): Promise<Revocable> {
    return revocableOf(this.services, identity, await this.services.lifecycle.flow.activeOn(clusterId, registryId));
  }

  /**
   * The confirm click: re-checks everything, stores each revoke (audited, its job due now), then
   * answers; the revocations themselves run in the background (the cards update when done).
   */
  async confirmRevoke(identity: TurnIdentity, data: unknown): Promise<AdaptiveCardJson> {
    const { requests, settings, log, background } = this.services;
    const parsed = revokeData.safeParse(data);
    if (!parsed.success) {
      await auditBadCardData(requests, identity, 'revokeConfirm');
      return lifecycleNoticeCard({
        title: 'This card is not valid',
        text: 'The card did not carry valid request ids; use "@acrbot revoke REQUEST-ID" instead.',
        ok: false,
        sandbox: settings.sandbox,
      });
    }
    // The card carries the reason its preview checked, but card data can be forged (G3): again.
    let reason: string | undefined;
    try {
      reason = parsed.data.reason?.trim() ? revokeReason(parsed.data.reason) : undefined;
    } catch (err) {
      return errorCard(this.services, err, 'Could not revoke');
    }
    const ids = [...new Set(parsed.data.requestId.toUpperCase().split(','))].slice(0, PAIR_REVOKE_LIMIT);
    const drawn = parsed.data.version;
    // A drawn card's ids, read once for its redraw check and then its revokes (see readIds).
    let read: readonly IdRead[] | undefined;
    if (drawn !== undefined) {
      try {
        read = await this.readIds(identity, ids);
        const redrawn = await this.redrawnIfChanged(identity, ids, read, drawn, reason);
        if (redrawn) return redrawn;
      } catch (err) {
        return errorCard(this.services, err, 'Could not revoke');
      }
    }
    const { started, refused, runs } = await this.startRevokes(identity, ids, reason, read);
    // The revocations run one after another (overlapping grants on one assignment: the last one
    // deletes it), each under its job's lease, and update every card copy. One that fails now is
    // in the store already: its job is retried with backoff and reported like an expiry.
    background.run('revocations of a revoke click', async () => {
      // A store failing fails each of them alike: one line for the click.
      const failures = new FailedIds();
      for (const { id, run } of runs) await run().catch((err: unknown) => failures.add(id, err));
      const failed = failures.fields();
      if (failed) log.error(failed, 'revocation did not run at once; its job retries it');
    });
    // A title names a few ids; a registry's card may carry 200, a bold paragraph of them: counted
    // there, and named in the text.
    const named = started.length <= TITLE_IDS_AT_MOST;
    return lifecycleNoticeCard({
      title: !started.length
        ? 'Nothing was revoked'
        : named
          ? `Revoking ${started.join(', ')}`
          : `Revoking ${started.length} acrbot requests`,
      text: [
        started.length
          ? 'acrbot is deleting what it created now; the request cards change to "Revoked" when it is done, and the requester is told.'
          : '',
        started.length && !named ? `Revoking: ${started.join(', ')}.` : '',
        ...refused,
      ]
        .filter(Boolean)
        .join(' '),
      ok: started.length > 0 && refused.length === 0,
      sandbox: settings.sandbox,
    });
  }

  /**
   * Stores the revoke of each of a click's `ids` (audited, its job due now) and returns what the
   * answer says, all in the card's order: the requests started, one refusal per id, and the
   * revocations to run. A card carries up to PAIR_REVOKE_LIMIT ids and Teams waits about 15 s for
   * the answer, so the reads and the scheduling run REVOKE_CLICK_AT_ONCE at a time, and whether the
   * clicker is an approver is asked once (a Graph call for group approvers), not per id. Each id
   * is resolved to its target first, so an extension's id and its original's (one target) schedule
   * one revoke, not a second one refused as running. `read`: the ids as a drawn card's redraw
   * check read them (readIds), taken instead of reading each again; absent, each is read here.
   */
  private async startRevokes(
    identity: TurnIdentity,
    ids: readonly string[],
    reason: string | undefined,
    read?: readonly IdRead[],
  ): Promise<{ started: string[]; refused: string[]; runs: { id: string; run: () => Promise<void> }[] }> {
    const { requests, lifecycle, log } = this.services;
    // At each id's place in the card: the reads and writes end in any order.
    const refusals = new Array<string | undefined>(ids.length);
    // Unexpected failures, logged once for the click (a failing Graph or store fails every id).
    const failures = new FailedIds();
    const refuse = (index: number, err: unknown): void => {
      refusals[index] = refusalLine(ids[index]!, err, failures);
    };
    // Asked once per click, and only once some id passes mayRevoke (a failure refuses each such id).
    let approver: Promise<boolean> | undefined;
    // The rule's approvers asked once per approver set too, not once per id.
    const mayRevoke = lifecycle.actions.mayRevokeEach(identity);
    const targets = await mapAtMost(ids, REVOKE_CLICK_AT_ONCE, async (id, index) => {
      try {
        // An extension's id revokes the access it is part of (its original).
        const asked = read ? readOf(read[index]!) : await readInTenant(this.services, identity, 'revoke', id);
        const target = await mayRevoke(asked);
        if (ids.length > 1 && !(await (approver ??= requests.isApprover(identity.actor))))
          throw new UserFacingError(
            'revoke.notApprover',
            `Only approvers may revoke several requests at once; revoke this one on its own with "@acrbot revoke ${target.id}".`,
          );
        return target;
      } catch (err) {
        refuse(index, err);
        return undefined;
      }
    });
    // Each target once, at its first id's place in the card.
    const first = new Map<string, { index: number; target: AccessRequest }>();
    targets.forEach((target, index) => {
      if (target && !first.has(target.id)) first.set(target.id, { index, target });
    });
    const scheduled = await mapAtMost([...first.values()], REVOKE_CLICK_AT_ONCE, async ({ index, target }) => {
      try {
        // Stored before the answer says "revoking": a revoke that cannot be audited or scheduled
        // is said here, not only logged while the card claims it started.
        return { id: target.id, run: await lifecycle.flow.scheduleRevoke(target, identity.actor, reason) };
      } catch (err) {
        refuse(index, err);
        // Stored but not audited: it runs with the next sweep, so it is started, with its line.
        return isUserFacing(err) && err.code === 'revoke.unaudited' ? { id: target.id } : undefined;
      }
    });
    const failed = failures.fields();
    if (failed) log.error(failed, 'revoke click failed');
    // In the card's order already: `first` holds the targets by their first index, and mapAtMost
    // keeps the items' order.
    const stored = scheduled.filter((s) => s !== undefined);
    return {
      started: stored.map((r) => r.id),
      refused: refusals.filter((line) => line !== undefined),
      runs: stored.flatMap(({ id, run }) => (run ? [{ id, run }] : [])),
    };
  }

  /**
   * The card clicked again, drawn from the store now, when what it listed changed since it was
   * drawn (its `version`, {@link revocationFingerprint}): an extension approved meanwhile, a
   * holder that kept a role assignment ended, a request revoked by someone else. Undefined when
   * nothing changed, or when the click is refused now (it then says why, and audits it): the one
   * request of a card, or every request of a pair's (or the actor is no approver). A card of one
   * request is compared with that request's preview; a pair's with the card its pair would get
   * now (pairTargets, previewed together): a request started on the pair or ended since, or one
   * this approver may no longer revoke, changes it; a registry's likewise (registry-revoke.ts).
   */
  private async redrawnIfChanged(
    identity: TurnIdentity,
    ids: readonly string[],
    read: readonly IdRead[],
    drawn: string | number,
    reason: string | undefined,
  ): Promise<AdaptiveCardJson | undefined> {
    const { requests, lifecycle } = this.services;
    // One that is not known counts as refused (the click says so for it), not as a failed click.
    const asked = read.flatMap((r) => ('request' in r ? [r.request] : []));
    const targets = await lifecycle.actions.revocationTargets(identity, asked);
    const allowed = targets.filter((t): t is AccessRequest => t !== undefined);
    if (allowed.length === 0) return undefined;
    const unique = [...new Map(allowed.map((t) => [t.id, t])).values()];
    const scope = fingerprintScope(drawn);
    if (ids.length === 1 && scope !== 'pair' && scope !== 'registry') {
      const target = unique[0]!;
      const lines = await lifecycle.flow.preview(target);
      if (revocationFingerprint([{ request: target, lines }]) === drawn) return undefined;
      return revokeConfirmCard(target, lines, reason, { asked: asked[0], changed: true });
    }
    if (scope === 'registry') return this.registryRevoke.redrawnIfChanged(identity, ids, unique, drawn, reason);
    if (!(await requests.isApprover(identity.actor))) return undefined;
    // The pair read again, not only the listed requests: one that started on it since the card
    // was drawn (a pull secret approved meanwhile) would otherwise keep its access unmentioned.
    // Its requests all share one pair; a forged card mixing pairs differs and is redrawn.
    const { cluster, registry } = unique[0]!.plan;
    const { mine, listings } = await this.pairTargets(identity, cluster.id, registry.id);
    if (
      sameIds(ids, mine) &&
      revocationFingerprint(await lifecycle.flow.previewTogether(mine, listings), 'pair') === drawn
    )
      return undefined;
    return this.pairPreview(identity, cluster, registry, reason, true);
  }

  /**
   * Each of a drawn card's `ids` read once, in the tenant (readInTenant: another tenant's is
   * refused, and audited, there), a few at a time as the revokes are stored (a registry card
   * carries 200). Its redraw check and then its revokes take these reads: read again, a registry
   * card's click read each of its 200 requests twice (docs/performance.md, round forty-four).
   * Taking them is as safe as reading again: the revokes' own reads were never fresher than their
   * writes. What guards those is unchanged: each revoke's end job is written only while it is
   * as read then (a revoke asked meanwhile is refused as running), and the revocation reads the
   * request again when it runs (one ended meanwhile is finished, not revoked twice). A pair's or
   * registry's card passes its check only when the listing read after these has every id at the
   * card's version (its fingerprint). An error other than a refusal fails the click, as before.
   */
  private readIds(identity: TurnIdentity, ids: readonly string[]): Promise<IdRead[]> {
    return mapAtMost(ids, REVOKE_CLICK_AT_ONCE, (id) =>
      readInTenant(this.services, identity, 'revoke', id).then(
        (request): IdRead => ({ request }),
        (err: unknown): IdRead => {
          if (err instanceof UserFacingError) return { refused: err };
          throw err;
        },
      ),
    );
  }

  /**
   * The one revoke rule (flows): the requester may revoke their own access, approvers of it
   * anyone's; only active access, of the actor's tenant. Returns what the revoke ends (an
   * extension's original).
   */
  private mayRevoke(identity: TurnIdentity, request: AccessRequest): Promise<AccessRequest> {
    return this.services.lifecycle.actions.mayRevoke(identity, request);
  }

  /**
   * `extend REQUEST-ID REASON…`, with `--for DURATION` before the reason or without it: a new
   * request, approved like any other.
   */
  async extendCommand(ctx: TurnContext, identity: TurnIdentity, command: Extract<Command, { verb: 'extend' }>) {
    try {
      // A full stop after it, a character short, a letter ids never use: said which. Its slot
      // holds nothing but an id (after `--for`), unlike `revoke`'s first word.
      const mistyped = mistypedRequestId(command.requestId, 'extend {id} --for 30d REASON…');
      if (mistyped) {
        await this.refusedIfOtherTenant(identity);
        throw mistyped;
      }
      if (!command.requestId || !isRequestId(command.requestId)) {
        await this.refusedIfOtherTenant(identity);
        throw new UserFacingError(
          'validation.usage',
          'Say which request to extend: "extend REQUEST-ID --for 30d REASON…", e.g. extend R-7K2M9QXA --for 30d release still running.',
        );
      }
      const extension = await this.createExtension(identity, command.requestId, command.duration, command.reason, ctx);
      const card = requestCard(extension, { showActions: false });
      await this.requestsHandler.announce(ctx, extension, () =>
        this.services.messenger.replyAndTrack(ctx, extension, card, 'requester'),
      );
    } catch (err) {
      await this.reply(ctx, await this.extendRefused(identity, err, command.requestId));
    }
  }

  /** The Extend button of a reminder: same as the command, from the card's inputs. */
  async extendClick(ctx: TurnContext, identity: TurnIdentity, data: unknown): Promise<AdaptiveCardJson> {
    const parsed = extendData.safeParse(data);
    if (!parsed.success) {
      await auditBadCardData(this.services.requests, identity, 'extend');
      try {
        await this.refusedIfOtherTenant(identity);
      } catch (err) {
        return this.extendRefused(identity, err);
      }
      return this.extendRefused(identity, unreadExtendCard(data));
    }
    try {
      this.checkedTyping(parsed.data.reason, parsed.data.duration);
    } catch (err) {
      await auditValidationFailure(this.services.requests, identity, err);
      return this.extendRefused(identity, err, parsed.data.requestId);
    }
    try {
      const extension = await this.createExtension(
        identity,
        parsed.data.requestId,
        parsed.data.duration || undefined,
        parsed.data.reason,
        ctx,
        parsed.data.endsAt || undefined,
      );
      // The reminder's message becomes the requester's copy of the extension request; the rest
      // (the approvers' card, the audit card) after the click is answered (G16). Its id
      // (`replyToId`) is the client's word: recorded only for a reminder acrbot remembers posting
      // in this conversation and no other click took (own-cards.ts). Otherwise the copy is a new
      // message, and no other card of acrbot's becomes this extension's copy.
      const { messenger } = this.services;
      const replyToId = ctx.activity.replyToId;
      const reminderId = (await this.ownCards.claim('reminder', ctx.activity.conversation.id, replyToId))
        ? replyToId
        : undefined;
      const card = requestCard(extension, { showActions: false });
      this.requestsHandler.announceAfterAnswer(ctx, extension, async (reference) => {
        if (reminderId) return messenger.trackAt(reference, extension.id, reminderId, 'requester');
        const id = await messenger.send(reference, await messenger.withRequestViewers(extension, reference, card));
        if (id) await messenger.trackAt(reference, extension.id, id, 'requester');
      });
      return reminderId
        ? card
        : requestCard(extension, {
            showActions: false,
            notice: 'This copy does not change; the card posted below follows the request.',
          });
    } catch (err) {
      return this.extendRefused(identity, err, parsed.data.requestId);
    }
  }

  /**
   * Refuses someone of another tenant than acrbot's own (own-tenant.ts `isOtherTenant`) an
   * extension acrbot could not read (no id, a mistyped one, a broken card's) as it refuses one it
   * can (AccessActions.createExtension asks `assertOwnTenant` first): in the creation refusal's words
   * (own-tenant.ts otherTenantRefusal, its way on from other-tenant-words.ts), audited
   * `request.refused.otherTenant`. The usage line or the typo's hint would show them how to type
   * an `extend`, refused to them whatever id they give. acrbot's own tenant's people go on to that
   * hint (a pause is no reason to hide it).
   */
  private async refusedIfOtherTenant(identity: TurnIdentity): Promise<void> {
    if (isOtherTenant(identity.tenantId, this.services.settings.ownTenantId))
      await this.services.requests.assertOwnTenant(identity);
  }

  /**
   * Refuses, with the domain validators' own sentences (`validation.reason`, `validation.duration`),
   * a typed reason over its length limit or a duration that is none, before anything is counted
   * or read. The flows check both again (and the reason's other rules), as for the chat command.
   */
  private checkedTyping(reason: string | undefined, duration: string | undefined): void {
    if (reason !== undefined && reason.length > REASON_LIMITS.max) checkReason(reason);
    if (duration) this.services.requests.accessTerm(duration);
  }

  /**
   * The card for an extension that was not made: a per-user limit or a redelivery (G16, the
   * gate's `limits.*`) under the title a new request's refusal has, anything else under "Could
   * not extend". A limit's refusal is audited once per user per window, as a new request's is
   * (limit-audit.ts): the flows throw it unaudited. One a concurrent create refused over the
   * pending cap is audited there too (`request.refused.pending` on the withdrawn request): at most
   * one entry more per window, in a race.
   */
  private async extendRefused(identity: TurnIdentity, err: unknown, requestId?: string): Promise<AdaptiveCardJson> {
    const gateTitle = err instanceof UserFacingError ? gateRefusalTitle(err.code) : undefined;
    if (err instanceof UserFacingError && isGateRefusalCode(err.code))
      await auditLimitRefusal(this.services, identity, err.code, `extend ${cutText(String(requestId ?? ''), 40)}`);
    return errorCard(this.services, err, gateTitle ?? 'Could not extend');
  }

  /**
   * The extension request, made by the flows (the same as the tab's); this turn announces it. The
   * original of another tenant is not there for them (tenant-boundary.ts), as in the tab.
   */
  private async createExtension(
    identity: TurnIdentity,
    originalId: string,
    duration: string | undefined,
    reasonText: string | undefined,
    ctx: TurnContext,
    drawnEnd?: string,
  ): Promise<AccessRequest> {
    // Only an original that is there and another tenant's: an unknown id is the flows' to refuse,
    // after the per-user limits, as before tenants were told apart.
    const original = await this.services.requests.get(originalId).catch((err: unknown) => {
      if (err instanceof UserFacingError && err.code === 'request.notFound') return undefined;
      throw err;
    });
    if (original && !ofTenant(original, identity.tenantId))
      throw await refusedOutsideTenant(this.services, identity, 'extend', original, originalId);
    return this.services.lifecycle.actions.createExtension({
      actor: identity.actor,
      tenantId: identity.tenantId,
      originalId,
      duration,
      reason: reasonText,
      origin: originOf(ctx),
      activityKey: activityKeyOf(ctx.activity.conversation.id, ctx.activity.id),
      ...(drawnEnd && { drawnEnd }),
    });
  }

  /**
   * `cancel REQUEST-ID REASON…` (the reason optional): the requester withdraws their pending
   * request; the answer is its card, now cancelled. A refused reason changes nothing and is
   * audited as any command's bad input (G10), as a revoke's is.
   */
  async cancelRequest(ctx: TurnContext, identity: TurnIdentity, requestId: string, reason?: string): Promise<void> {
    try {
      // Another tenant's request is not there for them (tenant-boundary.ts).
      await readInTenant(this.services, identity, 'cancel', requestId);
      const cancelled = await this.services.requests.cancel({ requestId, acting: identity, reason });
      await this.reply(
        ctx,
        requestCard(cancelled, {
          showActions: false,
          // With the command that asks for it again, to correct (none to another tenant's people).
          notice: cancelledNotice(cancelled, isOtherTenant(identity.tenantId, this.services.settings.ownTenantId)),
          noticeColor: 'Good',
        }),
      );
    } catch (err) {
      // Only a refused reason is validation here: the cancel's own refusals audit themselves.
      await auditValidationFailure(this.services.requests, identity, err);
      await this.reply(ctx, errorCard(this.services, err, 'Could not cancel'));
    }
  }

  private async reply(ctx: TurnContext, card: AdaptiveCardJson): Promise<void> {
    await sendCard(ctx, card, this.services.log);
  }
}

/**
 * The answer to a revoke of the wrong form that names a registry (`what`: what was typed, said as
 * what it is): the form revoke takes, and the command that lists the clusters pulling from it.
 */
function wrongRevokeForm(what: string, registry: string): UserFacingError {
  return new UserFacingError(
    'validation.usage',
    `${what}. Use "@acrbot revoke registry ${registry} REASON…" for all of its clusters at once, "@acrbot revoke CLUSTER REGISTRY REASON…" per pair ("@acrbot access ${registry}" lists its clusters), or "@acrbot revoke REQUEST-ID".`,
  );
}

/**
 * The answer to `revoke cluster NAME…`: revoke takes no whole cluster (its grants are each on a
 * registry), so it is said as the form it is, not as a cluster named "cluster". The name is
 * echoed only when it is a cluster's name by the name rules (else the placeholder).
 */
function wholeClusterForm(name: string | undefined): UserFacingError {
  const cluster = name && isValidClusterName(name) ? name : 'CLUSTER';
  return new UserFacingError(
    'validation.usage',
    `"revoke cluster" is not a form of revoke: acrbot revokes per registry. Use "@acrbot revoke ${cluster} REGISTRY REASON…" for one registry ("@acrbot access ${cluster}" lists what it pulls from), "@acrbot revoke registry REGISTRY REASON…" for a registry from every cluster, or "@acrbot revoke REQUEST-ID".`,
  );
}

/** Whether `name` is a cluster's name by the name rules (nothing is looked up). */
function isValidClusterName(name: string): boolean {
  try {
    return parseClusterRef(name).kind === 'name';
  } catch {
    return false;
  }
}
