/**
 * The tab's JSON API (`/api/tab/…`), transport-free: each method takes the Authorization header
 * and returns a status and a JSON body. Authentication is {@link validateSsoToken}; authorization:
 * requesters see their own requests, approvers and auditors see everything of their own tenant
 * (the token's `tid`; another allowed tenant's requests are never shown). A request the caller
 * may not see answers 404, exactly like one that does not exist.
 *
 * Every call runs under a correlation id; an unexpected failure is logged once with it and
 * answered with a generic 500 that carries it, never the error's own text.
 */
import { createHash, randomUUID } from 'node:crypto';
import { type AccessMatrix, credentialLapsed, gaveAccess } from '../domain/access-inventory';
import type { AccessPause, AuditLog, Clock, ListOrder, RequestStore } from '../domain/ports';
import type { PolicyRule } from '../domain/policy';
import {
  REQUEST_STATES,
  type AccessRequest,
  type ActingContext,
  type Actor,
  type RequestState,
} from '../domain/request';
import { UserFacingError } from '../domain/errors';
import { isOtherTenant } from '../domain/own-tenant';
import { mapAtMost } from '../domain/bounded-map';
import { revokeChangedWords } from '../domain/revocation-step-words';
import { MatrixBuilds } from './matrix-builds';
import { accessHolderOf, NOT_ALLOWED_CODES, revokeReason } from '../flows/access-actions';
import { isGateRefusalCode } from '../flows/limit-audit';
import type { GateRefusal } from '../flows/request-gate';
import { openExtensionsBy } from '../flows/request-reads';
import { listPending, WAITING_SCAN_LIMIT, type WaitingRequests } from '../flows/waiting-for-approvers';
import { soonestDecisionFirst } from '../domain/decision-order';
import type { Logger } from '../observability/logger';
import { currentCorrelationId, withCorrelation } from '../observability/correlation';
import { SsoError, type SsoSettings, type TabUser, validateSsoToken } from './sso-token';
import { LIVE_PULL_STATES, matrixRows, requestHistory, requestRow } from './tab-rows';
import type { TabMatrix, TabMatrixPage, TabMe, TabMyAccess, TabRevokePreview, TabRow } from './tab-wire';
import { withoutBidi } from './bidi-text';
import { askedOncePerApprovers } from '../flows/approver-question';
import { listedOrReadOnce } from '../flows/listed-or-read';
import { compareCodeUnits } from '../domain/code-unit-order';

/** Most matrix rows one answer carries (and the default page size). */
export const MATRIX_PAGE_MAX = 1000;

/**
 * `Retry-After` when the signing keys could not be fetched: jose's key set gives up on a fetch
 * after 5 s and fetches again on the next token, so half a minute is a fair first wait.
 */
export const KEYS_RETRY_AFTER_S = 30;

/** Most requests one listing reads (the request store has no paging by requester yet). */
export const LIST_LIMIT = 5000;

/** States a request is live in (waiting, being granted, granted): an approver's listing reads them first. */
const LIVE_STATES: readonly RequestState[] = ['pending', 'approved', 'executing', 'succeeded'];

/** States a request has ended in; they only accumulate, so they are read newest first. */
const ENDED_STATES: readonly RequestState[] = REQUEST_STATES.filter((s) => !LIVE_STATES.includes(s));

/**
 * A listing of at most {@link LIST_LIMIT} requests through one of the store's indexes (everyone's
 * by state, one user's by requester): the live ones oldest first, then the ended ones newest first
 * in the room left (`ended`, by default read through `list` too). Ended requests only accumulate:
 * read with the live ones oldest first, a year of history filled the listing, and yesterday's
 * ended access (and, once past the limit, newer live grants and pending requests) was never
 * shown. Live before ended: a request that ends between the two reads is found by the second
 * (STATE_ROUNDS), and is then in both; it is shown once, as the second read has it (ended: no
 * Revoke or Extend on access that is gone, and counted once).
 */
async function liveThenEnded(
  list: (states: RequestState[], limit: number, order?: ListOrder) => Promise<AccessRequest[]>,
  ended: (room: number) => Promise<AccessRequest[]> = (room) => list([...ENDED_STATES], room, 'newestFirst'),
): Promise<AccessRequest[]> {
  const live = await list([...LIVE_STATES], LIST_LIMIT);
  const room = LIST_LIMIT - live.length;
  // A read kept from an earlier call (endedFor) may have had more room than is left now.
  const read = room > 0 ? (await ended(room)).slice(0, room) : [];
  const endedIds = new Set(read.map((r) => r.id));
  return [...live.filter((r) => !endedIds.has(r.id)), ...read];
}

/**
 * Most requests an approver's matrix reads from the store at once, of those the inventory names
 * beyond the listing ({@link LIST_LIMIT}); chat's reads of review jobs take 16 at once too.
 */
export const MATRIX_READS_AT_ONCE = 16;

/** Who may see everything. */
export interface TabRoles {
  isApprover(actor: Actor): Promise<boolean>;
  /** May this person approve this request (the policy rule it is bound to; never the requester). */
  isApproverOf(actor: Actor, request: AccessRequest): Promise<boolean>;
  /**
   * The rule whose approvers `isApproverOf` asks about (RequestService.ruleOf: a pending request's
   * own, a decided one's as the policy names it now), so answers are shared only between requests
   * it answers alike; absent, the rule bound to each request.
   */
  ruleOf?(request: AccessRequest): PolicyRule | undefined;
  isAuditor(actor: Actor): boolean;
}

/** Extend/revoke, the same flows as chat; absent while not available (the tab hides the buttons). */
export interface TabActions {
  extend?(input: { requestId: string; actor: Actor; tenantId: string; duration: string; reason?: string }): Promise<{
    message: string;
    requestId?: string;
  }>;
  revoke?(input: { requestId: string; actor: Actor; tenantId: string; reason: string }): Promise<{ message: string }>;
  /**
   * What revoking `request` would delete and keep, with its fingerprint (tab/revoke-preview.ts):
   * chat's `revoke R-…` preview, under the one revoke rule (`mayRevoke`, which refuses, and
   * audits, as the revoke would). Absent, the drawer's Revoke cannot be confirmed (501), and a
   * revoke sent with a fingerprint is refused the same way.
   */
  revokePreview?(input: { request: AccessRequest; actor: Actor; tenantId: string }): Promise<TabRevokePreview>;
  /**
   * Audits a per-user limit's refusal of an action (G11, G16: `request.refused.rate`,
   * `request.refused.pending`), the first per user, limit and window, the rest logged on `log`
   * (flows/limit-audit.ts, the chat's rule and window). The app always wires it; absent (unit
   * tests of other rules), such a refusal is answered (429) and neither audited nor logged.
   */
  limitRefused?(
    refused: { actor: Actor; tenantId: string; code: GateRefusal['code']; detail: string },
    log: Logger,
  ): Promise<void>;
  /**
   * Audits a request of another tenant asked for by its id (its history, Extend, Revoke: answered
   * 404 as one that does not exist) by chat's rule (flows/tenant-refusal.ts: the first per person,
   * request and ask in its window, the rest logged on `log`). The app always wires it; absent
   * (unit tests of other rules), such an ask is answered 404 all the same, unaudited.
   */
  tenantRefused?(
    refused: { acting: ActingContext; asked: 'history' | 'extend' | 'revoke'; request: AccessRequest },
    log: Logger,
  ): Promise<void>;
  /** The flows' extend rule, for showing the button (the action decides again). */
  canExtend?(actor: Actor, request: AccessRequest): boolean;
  /**
   * The terms an extension may run with (the deployment's limits and those of the rule that fits
   * the cluster's and registry's tags now, as the extension is judged), for the drawer's Extend;
   * it may read Azure, so it is asked only for the one row a drawer shows.
   */
  extendRange?(
    request: AccessRequest,
  ): Promise<{ minMs: number; maxMs: number } | undefined> | { minMs: number; maxMs: number } | undefined;
  /**
   * The flows' revoke rule (the requester, or an approver of the request's own rule) for many
   * requests at once, for the Revoke button in lists and the drawer alike; the action decides again.
   * Only the acting tenant's requests are revocable.
   */
  revocable?(acting: ActingContext, requests: readonly AccessRequest[]): Promise<boolean[]>;
  /**
   * Break-glass grants whose review an approver still owes, oldest first: the list chat's
   * `pending` shows first (`RequestService.awaitingReview`: every tenant's and rule's, up to
   * WAITING_SCAN_LIMIT per read, `boundReached` past it; a failed run owes none). My access
   * shows the caller those they may review; absent, it shows none.
   */
  reviewsOwed?(): Promise<WaitingRequests>;
}

/** The access inventory (src/flows/access-inventory.ts): the matrix across the allowed subscriptions. */
export interface TabInventory {
  matrix(): Promise<AccessMatrix>;
}

/** What the API needs. */
export interface TabApiDeps {
  sso: SsoSettings;
  store: RequestStore;
  audit: AuditLog;
  roles: TabRoles;
  clock: Clock;
  log: Logger;
  /** The bot's app id, for "open in chat" deep links. */
  botAppId: string;
  actions?: TabActions;
  /** Approvers and auditors see the inventory's matrix (Azure joined with the store); absent = the store's requests only. */
  inventory?: TabInventory;
  /** The operators' pause of new access in force, if any (shown as a banner; Extend is refused meanwhile). */
  pause?: () => Promise<AccessPause | undefined>;
  /**
   * acrbot's own tenant (FlowSettings.ownTenantId, own-tenant.ts): a grant an earlier release made
   * for a requester of another served tenant offers no Extend, as its reminder offers none
   * (reminder-extend.ts): the extension would be refused when it is made. Absent: not judged.
   */
  ownTenantId?: string;
}

/** An API answer. */
export interface ApiReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

interface Caller {
  user: TabUser;
  actor: Actor;
  seesAll: boolean;
  approver: boolean;
  auditor: boolean;
}

/** The tab API. */
export class TabApi {
  /** Everyone's ended requests, read once per matrix the inventory answered ({@link endedFor}). */
  private readonly endedByMatrix = new WeakMap<AccessMatrix, Promise<AccessRequest[]>>();
  /** An approver's matrix as built at a load's first page, for its later pages (matrix-builds.ts). */
  private readonly matrixBuilds: MatrixBuilds<TabMatrix>;

  constructor(private readonly deps: TabApiDeps) {
    this.matrixBuilds = new MatrixBuilds(deps.clock);
  }

  /** `GET /api/tab/me`: who the caller is, what they see and may do. */
  me(authorization: string | undefined): Promise<ApiReply> {
    return this.handle(authorization, async (c) => {
      const { paused, unreadable } = await this.readPause();
      return {
        status: 200,
        body: {
          user: { objectId: c.user.objectId, name: c.user.name, tenantId: c.user.tenantId },
          roles: { approver: c.approver, auditor: c.auditor },
          sees: c.seesAll ? 'all' : 'own',
          actions: { extend: Boolean(this.deps.actions?.extend), revoke: Boolean(this.deps.actions?.revoke) },
          // Everyone signed in sees the banner; why only approvers and auditors (in an incident the
          // reason may name the person under suspicion). Who is a name, not an object id.
          paused: paused
            ? {
                since: paused.since,
                by: paused.by.name,
                ...((c.approver || c.auditor) && { reason: paused.reason }),
              }
            : null,
          // The pause could not be read: the tab still opens and says so; the server decides on
          // Extend when it is asked (a request is refused while the pause cannot be read).
          ...(unreadable && { pauseUnreadable: { correlationId: unreadable } }),
          botAppId: this.deps.botAppId,
          now: this.deps.clock.now().toISOString(),
        } satisfies TabMe,
      };
    });
  }

  /**
   * The pause of new access for `/me`. A failed read is logged here (once, with the call's
   * correlation id) and reported as unreadable rather than failing the call: `/me` is what the
   * tab loads first, and the rest of it (who can pull what, revoking) does not depend on it.
   */
  private async readPause(): Promise<{ paused?: AccessPause; unreadable?: string }> {
    try {
      return { paused: await this.deps.pause?.() };
    } catch (err) {
      this.deps.log.error({ err }, 'tab: the pause of new access could not be read');
      return { unreadable: currentCorrelationId() ?? 'unknown' };
    }
  }

  /**
   * `GET /api/tab/my-access`: the caller's requests, active grants/secrets, and what waits for
   * them: break-glass reviews they owe first (as chat's `pending` lists them), then approvals.
   */
  myAccess(authorization: string | undefined): Promise<ApiReply> {
    return this.handle(authorization, async (c) => {
      const now = this.deps.clock.now();
      const reviewsOwed = this.deps.actions?.reviewsOwed;
      // The caller's own requests through the requester index (not everyone's, filtered), and
      // the pending ones and reviews owed only for an approver.
      // Both lists are every tenant's and rule's, read whole (up to WAITING_SCAN_LIMIT) and only
      // then narrowed to the caller below: a cap first could hold none of theirs.
      const none: WaitingRequests = { requests: [], boundReached: false };
      const [listed, waiting, reviews] = await Promise.all([
        this.ownRequests(c.user.objectId),
        c.approver ? listPending(this.deps.store) : Promise.resolve(none),
        c.approver && reviewsOwed ? reviewsOwed() : Promise.resolve(none),
      ]);
      // Pending requests by when deciding runs out (the row's "Decide by"), soonest first: store
      // order is creation order, and an extension's wait is cut to its grant's end.
      const [pending, owed] = [[...waiting.requests].sort(soonestDecisionFirst), reviews.requests];
      // The page says so under the heading (waitingBoundReached); the operators are told too.
      const waitingBoundReached = waiting.boundReached || reviews.boundReached;
      if (waitingBoundReached)
        this.deps.log.warn(
          { limit: WAITING_SCAN_LIMIT },
          'tab: more requests wait for approvers than one read takes; newer ones are missing from "Waiting for your approval"',
        );
      const mine = listed.filter((r) => inTenant(r, c));
      const own = await this.withActions(
        mine.map((r) => requestRow(r, now)),
        mine,
        c,
      );
      // Asked of them: reviews owed and pending requests in their tenant, not their own (nobody
      // reviews their own break-glass run, G18), pending ones not yet approved by them, and they
      // are an approver under its rule (a break-glass run is bound to the rule that would have
      // applied, so one question per rule answers reviews and approvals alike).
      const candidates = c.approver
        ? [
            ...owed.filter((r) => inTenant(r, c) && !this.isOwn(r, c)),
            ...pending
              .filter((r) => inTenant(r, c) && !this.isOwn(r, c))
              .filter((r) => !(r.approvals ?? []).some((a) => a.by.objectId.toLowerCase() === c.user.objectId)),
          ]
        : [];
      const asked = await this.approverOfEach(c, candidates);
      // Each asked of them under its own rule: chat's `pending R-…` shows it with Approve and Reject.
      const approvals = candidates
        .filter((_, i) => asked[i])
        .map((r): TabRow => ({ ...requestRow(r, now), mayDecide: true }));
      // A secret whose credential lapsed is still theirs to extend (rotate) or revoke. Chosen
      // while `own[i]` still shows `mine[i]`: the sorts below reorder the rows, not the requests.
      const grants = own.filter((r, i) => LIVE_PULL_STATES.includes(r.state) || credentialLapsed(mine[i]!, now));
      return {
        status: 200,
        body: {
          requests: [...own].sort(newestFirst),
          grants: grants.sort(byExpiry),
          approvals,
          ...(waitingBoundReached && { waitingBoundReached: true }),
        } satisfies TabMyAccess,
      };
    });
  }

  /**
   * `GET /api/tab/matrix?offset=&limit=`: every visible way a cluster pulls from a registry, with
   * the axes. Approvers and auditors get the access inventory's matrix (role assignments by
   * acrbot or outside it, pull secrets, ended grants, across the allowed subscriptions);
   * requesters the access their own requests gave.
   *
   * Paged: at most `limit` rows (default and maximum {@link MATRIX_PAGE_MAX}) from `offset`, in a
   * stable order (cluster, registry, row key); `nextOffset` while more follow. The axes and the
   * unresolved clusters come with the first page only. `generatedAt` names the snapshot
   * ({@link matrixSnapshot}): when it differs between pages, what the matrix shows changed
   * meanwhile and the client starts again. An approver's matrix is built at a load's first page
   * and its later pages slice that build while the inventory's copy stands ({@link MatrixBuilds}).
   */
  matrix(authorization: string | undefined, query: Record<string, string | undefined> = {}): Promise<ApiReply> {
    return this.handle(authorization, async (c) => {
      const page = pageOf(query);
      if (typeof page === 'string') return badRequest(page);
      const slice = (body: TabMatrix): ApiReply => {
        const { rows, generatedAt } = body;
        const end = page.offset + page.limit;
        return {
          status: 200,
          body: {
            ...(page.offset === 0 ? body : { clusters: [], registries: [], unresolvedClusters: [], generatedAt }),
            rows: rows.slice(page.offset, end),
            total: rows.length,
            offset: page.offset,
            ...(end < rows.length ? { nextOffset: end } : {}),
          } satisfies TabMatrixPage,
        };
      };
      const paged = (whole: Omit<TabMatrix, 'generatedAt'>): ApiReply => slice(sortedMatrix(whole));
      const now = this.deps.clock.now();
      if (c.seesAll && this.deps.inventory) {
        // The store holds every allowed tenant's requests; the caller sees their own tenant's only.
        const matrix = await this.deps.inventory.matrix();
        // The pages after a load's first slice its build while the inventory's copy stands (matrix-builds.ts).
        const caller = callerKey(c);
        const kept = page.offset > 0 ? this.matrixBuilds.get(caller, matrix) : undefined;
        if (kept) return slice(kept);
        const listed = await this.everyonesRequests(matrix);
        const all = listed.filter((r) => inTenant(r, c));
        const byId = new Map(all.map((r) => [r.id, r]));
        // The inventory names every tenant's requests. One beyond the listing's limit is read on
        // its own, so its tenant is known rather than guessed either way.
        const seen = new Set(listed.map((r) => r.id));
        // The rows as a caller who sees every request would read them, and every request id they
        // asked about: when the caller sees all of those (one tenant, the usual case), these are
        // their rows too, and the matrix is not turned into rows a second time (thousands of rows).
        const asked = new Set<string>();
        const named = matrixRows(matrix, (id) => (asked.add(id), true));
        const beyond = [...new Set(named.flatMap((r) => (r.requestId ? [r.requestId] : [])))].filter(
          (id) => !seen.has(id),
        );
        // A bounded number at a time: beyond a large store these are thousands of point reads of
        // one partition, and all at once they invite throttling (and so 500s, or pages that
        // "kept changing"); once per load, at its first page (matrix-builds.ts; docs/tab.md, Paging).
        const read = await mapAtMost(beyond, MATRIX_READS_AT_ONCE, (id) => this.deps.store.get(id));
        for (const request of read) if (request && inTenant(request, c)) byId.set(request.id, request);
        const rows: TabRow[] = [];
        const joined: { row: TabRow; request: AccessRequest }[] = [];
        // Only this tenant's requests are shown as requests (tab-rows.ts matrixRows).
        const shown = [...asked].every((id) => byId.has(id)) ? named : matrixRows(matrix, (id) => byId.has(id));
        for (const row of shown) {
          const request = row.requestId ? byId.get(row.requestId) : undefined;
          if (!request) {
            rows.push(row);
            continue;
          }
          const own = requestRow(request, now);
          const full = {
            ...row,
            requestState: own.requestState,
            reason: own.reason,
            createdAt: own.createdAt,
            approvers: own.approvers,
            // Who decided, from the request's own row (nobody for a break-glass run: see breakGlass).
            decidedBy: own.decidedBy,
            ...(own.breakGlass && { breakGlass: own.breakGlass }),
            // The inventory's reference names the end, not the term's end an extension must outlast.
            ...(own.termEndsAt && { termEndsAt: own.termEndsAt }),
          };
          rows.push(full);
          joined.push({ row: full, request });
        }
        await this.withActions(
          joined.map((j) => j.row),
          joined.map((j) => j.request),
          c,
        );
        const built = sortedMatrix({
          clusters: axis(matrix.clusters.map((x) => ({ id: x.id, name: x.name, subscriptionId: x.subscriptionId }))),
          registries: axis(matrix.registries.map((x) => ({ id: x.id, name: x.name, loginServer: x.loginServer }))),
          rows,
          unresolvedClusters: matrix.unresolvedClusters.map((u) => ({ name: u.cluster.name, problem: u.problem })),
          ...(matrix.incomplete && { incomplete: matrix.incomplete }),
        });
        this.matrixBuilds.set(caller, { source: matrix, answer: built });
        return slice(built);
      }
      // A requester's own requests through the requester index, as My access reads them (the
      // oldest LIST_LIMIT of everyone's would leave out their newest once the store is large).
      const listed = c.seesAll ? await this.everyonesRequests() : await this.ownRequests(c.user.objectId);
      const shown = listed.filter((r) => inTenant(r, c) && (c.seesAll || this.isOwn(r, c)) && gaveAccess(r));
      const rows = await this.withActions(
        shown.map((r) => requestRow(r, now)),
        shown,
        c,
      );
      return paged({
        clusters: axis(rows.map((r) => r.cluster)),
        registries: axis(rows.map((r) => r.registry)),
        rows,
        unresolvedClusters: [],
      });
    });
  }

  /** `GET /api/tab/requests/:id`: a request's history (requests, approvers, audit, Azure request ids). */
  history(authorization: string | undefined, id: string): Promise<ApiReply> {
    return this.handle(authorization, async (c) => {
      const request = await this.visible(id, c, 'history');
      if (!request) return notFound(id);
      const audit = await this.deps.audit.forRequest(request.id);
      // Whoever sees only their own requests reads its trail as their cards tell it (history-entries.ts).
      // The rule whose approvers review it now (from the policy in memory): its drawer says when nobody can.
      const reviewers = this.ruleOf(request);
      // A reader of another tenant than acrbot's own is refused any request: a failed run's error
      // reaches them without a command to ask again, as chat's `status R-…` gives it (tab-rows.ts).
      const history = requestHistory(
        request,
        audit,
        this.deps.clock.now(),
        c.seesAll ? 'all' : 'own',
        reviewers,
        isOtherTenant(c.user.tenantId, this.deps.ownTenantId),
      );
      const extensions = new Map<string, AccessRequest>();
      await this.withActions([history.row], [request], c, { everyonesExtensions: true, extendRange: true, extensions });
      await this.markDecidable(history.row, request, c, extensions);
      return { status: 200, body: history };
    });
  }

  /**
   * Marks the drawer's row with what chat's `pending R-…` would do for the caller: `mayDecide`
   * when they approve under the request's own rule, and `decidesExtension` when they approve
   * under the rule of its open extension. The tab's "sees everything" is any rule's approver,
   * but chat answers `pending R-…` of another rule's request with "Approvers only" (audited
   * `pending.refused`), so the drawer must not send them there. Asked as the approvals list asks
   * (`isApproverOf`); the extension is taken from `extensions` (the open ones `withActions` listed
   * just before, by id), and read from the store only when it is not there and one waits.
   */
  private async markDecidable(
    row: TabRow,
    request: AccessRequest,
    c: Caller,
    extensions: ReadonlyMap<string, AccessRequest>,
  ): Promise<void> {
    if (c.approver && !this.isOwn(request, c) && (await this.approverOfEach(c, [request]))[0]) row.mayDecide = true;
    const open = row.extensionWaiting;
    if (!c.approver || !open) return;
    const extension = extensions.get(open) ?? (await this.deps.store.get(open));
    if (!extension || !inTenant(extension, c) || this.isOwn(extension, c)) return;
    if ((await this.approverOfEach(c, [extension]))[0]) row.decidesExtension = true;
  }

  /** `POST /api/tab/requests/:id/extend` with `{ duration, reason? }`. */
  extend(authorization: string | undefined, id: string, body: unknown): Promise<ApiReply> {
    return this.handle(authorization, async (c) => {
      const extend = this.deps.actions?.extend;
      if (!extend) return unavailable('extend');
      const request = await this.visible(id, c, 'extend');
      if (!request) return notFound(id);
      const input = (body ?? {}) as { duration?: unknown; reason?: unknown };
      if (typeof input.duration !== 'string' || !input.duration.trim() || input.duration.length > 20)
        return badRequest('duration is required, e.g. "7d" or "24h".');
      if (input.reason !== undefined && typeof input.reason !== 'string')
        return badRequest('reason must be text: say why the access is still needed.');
      const asked = { requestId: request.id, actor: c.actor, tenantId: c.user.tenantId };
      const result = await extend({
        ...asked,
        duration: input.duration,
        // Checked (bounds, secrets) by the extend flow itself, after whitespace is collapsed: a
        // cut here could drop the words of a reason padded with spaces.
        reason: input.reason,
      }).catch((err: unknown) => this.limitRefused(err, asked));
      return { status: 202, body: result };
    });
  }

  /**
   * `GET /api/tab/requests/:id/revoke-preview`: what the drawer's Revoke would delete and keep,
   * and the fingerprint its confirm sends ({@link TabActions.revokePreview}). Authorised as the
   * revoke itself: 404 for a request the caller may not see, 403 when it is not theirs to revoke
   * (audited as chat's preview is), 409 when it is not active.
   */
  revokePreview(authorization: string | undefined, id: string): Promise<ApiReply> {
    return this.handle(authorization, async (c) => {
      const preview = this.deps.actions?.revokePreview;
      if (!this.deps.actions?.revoke || !preview) return unavailable('revoke');
      const request = await this.visible(id, c, 'revoke');
      if (!request) return notFound(id);
      return { status: 200, body: await preview({ request, actor: c.actor, tenantId: c.user.tenantId }) };
    });
  }

  /**
   * `POST /api/tab/requests/:id/revoke` with `{ reason, fingerprint }`: the fingerprint of the
   * preview the page showed ({@link revokePreview}). When what revoking would delete or keep is
   * no longer what it showed (an extension approved, another holder of a role assignment ended),
   * nothing is revoked: 409 `revoke.changed` with the new preview, as chat's confirm click
   * redraws its card. The input is checked first, the reason by the revoke's own rule: a bad one
   * is answered 400 whatever the fingerprint, and the preview (which reads Azure) is not drawn
   * again for it. A body without a fingerprint is a page loaded before the preview existed,
   * still open through a rolling upgrade: it is revoked as before and logged, for one release
   * (docs/tab.md); refusing it would leave that page's Revoke failing with no way to tell why.
   */
  revoke(authorization: string | undefined, id: string, body: unknown): Promise<ApiReply> {
    return this.handle(authorization, async (c) => {
      const revoke = this.deps.actions?.revoke;
      if (!revoke) return unavailable('revoke');
      const request = await this.visible(id, c, 'revoke');
      if (!request) return notFound(id);
      const input = (body ?? {}) as { reason?: unknown; fingerprint?: unknown };
      if (typeof input.reason !== 'string') return badRequest('reason is required: say why the access ends.');
      if (input.fingerprint !== undefined && (typeof input.fingerprint !== 'string' || input.fingerprint.length > 100))
        return badRequest('fingerprint must be the one the revoke preview answered; reload the page.');
      // The reason by the revoke's own rule before the preview is drawn again: a bad one is its
      // 400 (validation.reason / validation.secret), not a 409 for a list that changed, which
      // would have the user review the list only to be refused for the reason after; and it
      // costs no read of Azure. Thrown, it is answered as the flow's refusal is (refusalStatus).
      revokeReason(input.reason, false);
      const acting = { actor: c.actor, tenantId: c.user.tenantId };
      if (input.fingerprint === undefined) {
        this.deps.log.info(
          { requestId: request.id },
          'tab revoke without a preview fingerprint (a page loaded before it)',
        );
      } else {
        const preview = this.deps.actions?.revokePreview;
        if (!preview) return unavailable('revoke');
        const now = await preview({ request, ...acting });
        if (now.fingerprint !== input.fingerprint)
          return {
            status: 409,
            body: {
              error: 'revoke.changed',
              // The drawer's words over the new list (domain/revocation-step-words.ts).
              message: revokeChangedWords('list'),
              preview: now,
            },
          };
      }
      const result = await revoke({
        requestId: request.id,
        ...acting,
        // As typed: the revoke flow checks it again (the same rule, for chat and the tab alike)
        // and normalises it.
        reason: input.reason,
      });
      return { status: 200, body: result };
    });
  }

  /**
   * Audits `err` when it is a per-user limit's refusal of `asked` (the flows throw those
   * unaudited, for their caller to audit once per window, as chat does), then throws it on to be
   * answered 429. The detail is chat's for an extension (`extend R-…`).
   */
  private async limitRefused(
    err: unknown,
    asked: { requestId: string; actor: Actor; tenantId: string },
  ): Promise<never> {
    if (err instanceof UserFacingError && isGateRefusalCode(err.code))
      await this.deps.actions?.limitRefused?.(
        { actor: asked.actor, tenantId: asked.tenantId, code: err.code, detail: `extend ${asked.requestId}` },
        this.deps.log,
      );
    throw err;
  }

  /**
   * Everyone's requests for an approver's views, as {@link liveThenEnded} reads them. With the
   * `matrix` they are joined to, the ended ones are read once per matrix ({@link endedFor}).
   */
  private everyonesRequests(matrix?: AccessMatrix): Promise<AccessRequest[]> {
    return liveThenEnded(
      (states, limit, order) => this.deps.store.listByState(states, limit, order),
      matrix && ((room) => this.endedFor(matrix, room)),
    );
  }

  /** One user's requests (My access, a requester's matrix), as {@link liveThenEnded} reads them. */
  private ownRequests(objectId: string): Promise<AccessRequest[]> {
    return liveThenEnded((states, limit, order) => this.deps.store.listByRequester(objectId, states, limit, order));
  }

  /**
   * Everyone's ended requests (newest first, at most `room`) for the matrix `matrix`, read once
   * for it: the inventory's copy is kept for its TTL and dropped when access changes here
   * (inventory-cache.ts), while every page of every load used to read up to LIST_LIMIT of them
   * again (on Tables ~25,000 index entities and thousands of point reads each). Live requests
   * are still read on every call. Only the matrix's rows are shown, and an ended request does not
   * change state again: one that ended after this read is not among the live ones either, so when
   * the matrix names it, it is read on its own (`beyond`), fresh, as before. A failed read is not kept.
   */
  private endedFor(matrix: AccessMatrix, room: number): Promise<AccessRequest[]> {
    let read = this.endedByMatrix.get(matrix);
    if (!read) {
      const started = this.deps.store.listByState([...ENDED_STATES], room, 'newestFirst');
      this.endedByMatrix.set(matrix, (read = started));
      void started.catch(() => this.endedByMatrix.get(matrix) === started && this.endedByMatrix.delete(matrix));
    }
    return read;
  }

  private isOwn(request: AccessRequest, c: Caller): boolean {
    return request.requester.objectId.toLowerCase() === c.user.objectId;
  }

  /** Request `id` if the caller may see it; another tenant's is audited as `asked` of it (tenantRefused). */
  private async visible(
    id: string,
    c: Caller,
    asked: 'history' | 'extend' | 'revoke',
  ): Promise<AccessRequest | undefined> {
    if (!/^R-[0-9A-Z]{4,20}$/i.test(id)) return undefined;
    const request = await this.deps.store.get(id.toUpperCase());
    if (!request) return undefined;
    if (!inTenant(request, c)) {
      const acting = { actor: c.actor, tenantId: c.user.tenantId };
      await this.deps.actions?.tenantRefused?.({ acting, asked, request }, this.deps.log);
      return undefined;
    }
    return c.seesAll || this.isOwn(request, c) ? request : undefined;
  }

  /**
   * Marks what the caller could do on each row (`rows[i]` shows `requests[i]`), by the flows' own
   * rules: Extend per row (no I/O), Revoke for all rows at once (an approver check per distinct
   * rule, not per row), and with `extendRange` (the drawer's one row) the terms Extend may offer,
   * from the tags Azure has now. The flows decide again when they are called. `extensions`, when
   * given, receives the open extensions it listed, by id, for the caller to use without reading
   * them again.
   */
  private async withActions(
    rows: TabRow[],
    requests: readonly AccessRequest[],
    c: Caller,
    opts: { everyonesExtensions?: boolean; extendRange?: boolean; extensions?: Map<string, AccessRequest> } = {},
  ): Promise<TabRow[]> {
    const actions = this.deps.actions;
    // Live, or a secret whose credential lapsed while its term runs on: Extend rotates a new
    // credential into the secret, Revoke removes it (the flows decide again).
    const now = this.deps.clock.now();
    const live = rows.flatMap((row, i) =>
      requests[i]!.state === 'succeeded' &&
      (LIVE_PULL_STATES.includes(row.state) || credentialLapsed(requests[i]!, now))
        ? [i]
        : [],
    );
    const liveRequests = live.map((i) => requests[i]!);
    const answers = !actions?.revoke
      ? []
      : actions.revocable
        ? await actions.revocable({ actor: c.actor, tenantId: c.user.tenantId }, liveRequests)
        : liveRequests.map((r) => this.isOwn(r, c));
    const revocable = new Set(live.filter((_, k) => answers[k]));
    const extendable = new Set(live);
    // Extensions are the requester's own requests: one look at theirs names the open ones (one
    // at a time per original, so Extend is not offered while one waits). Lists look at the
    // caller's; a drawer (`everyonesExtensions`) at its requester's, so an approver sees one waits.
    const requesters = new Set(
      live
        .map((i) => requests[i]!)
        .filter((r) => opts.everyonesExtensions || this.isOwn(r, c))
        .map((r) => r.requester.objectId.toLowerCase()),
    );
    const open = new Map<string, string>();
    if (actions?.extend)
      for (const requesterId of requesters)
        for (const r of await openExtensionsBy(this.deps.store, requesterId)) {
          open.set(r.extendsRequestId!, r.id);
          opts.extensions?.set(r.id, r);
        }
    const waitingOn = await this.extensionsWaiting(live, requests, open);
    for (const [i, row] of rows.entries()) {
      const request = requests[i]!;
      const waiting = waitingOn.get(i);
      if (waiting && extendable.has(i)) row.extensionWaiting = waiting;
      // Its requester of another served tenant than acrbot's own: their every request is refused,
      // extensions too (request-creation.ts), so none is offered, and the row says why.
      const otherTenant = extendable.has(i) && isOtherTenant(request.tenantId, this.deps.ownTenantId);
      if (otherTenant) row.otherTenant = true;
      row.canExtend =
        Boolean(actions?.extend) &&
        extendable.has(i) &&
        !waiting &&
        !otherTenant &&
        (actions?.canExtend ? actions.canExtend(c.actor, request) : this.isOwn(request, c));
      // Only the drawer offers terms, and the range reads the tags in Azure now (the rule the
      // extension will be judged by), so lists do not pay two reads per row for it.
      const range = row.canExtend && opts.extendRange ? await actions?.extendRange?.(request) : undefined;
      if (range) row.extendRange = range;
      row.canRevoke = revocable.has(i);
    }
    return rows;
  }

  /**
   * The open extension shown on each live row (`live` are indexes into `requests`): one of the
   * access the row belongs to, by the rule extending follows ({@link accessHolderOf}: an
   * extension whose end its original took over is the original's access, and a new extension of
   * it names the original). So the row of extension E1 shows E2 waiting on its original R, as
   * R's row does (an extension's row is live, and so marked, while its access is being revoked;
   * otherwise it is closed). Originals are looked up among the requests listed already (My
   * access lists them all); the store is read only for one that is not there (a drawer shows one
   * request), and only while an extension is open.
   */
  private async extensionsWaiting(
    live: readonly number[],
    requests: readonly AccessRequest[],
    open: ReadonlyMap<string, string>,
  ): Promise<Map<number, string>> {
    const waiting = new Map<number, string>();
    if (open.size === 0) return waiting;
    const get = listedOrReadOnce(requests, (id) => this.deps.store.get(id));
    await Promise.all(
      live.map(async (i) => {
        const request = requests[i]!;
        // One naming the row's own request: an original's, or an extension's asked before
        // extending followed the access holder.
        const own = open.get(request.id);
        if (own) return void waiting.set(i, own);
        if (!request.extendsRequestId) return;
        const holder = await accessHolderOf(request, get);
        const onHolder = holder.id === request.id ? undefined : open.get(holder.id);
        if (onHolder) waiting.set(i, onHolder);
      }),
    );
    return waiting;
  }

  /**
   * Runs one API call: under a correlation id (the caller's, else a new one), the token checked,
   * the caller's roles looked up, then `work`. Refusals become their status; anything else (a
   * Graph or store failure) is logged here once with the id and answered with a generic 500
   * carrying it, so neither the error's text nor a stack reaches the browser (the routes send
   * every answer with `Cache-Control: no-store`).
   */
  private handle(authorization: string | undefined, work: (c: Caller) => Promise<ApiReply>): Promise<ApiReply> {
    const correlationId = currentCorrelationId();
    if (!correlationId) return withCorrelation(() => this.handle(authorization, work), randomUUID());
    // Every answer without bidi controls, as chat cards show the same text (bidi-text.ts).
    return this.handleAs(correlationId, authorization, work).then((reply) => ({
      ...reply,
      body: withoutBidi(reply.body),
    }));
  }

  private async handleAs(
    correlationId: string,
    authorization: string | undefined,
    work: (c: Caller) => Promise<ApiReply>,
  ): Promise<ApiReply> {
    try {
      const user = await validateSsoToken(authorization, this.deps.sso, this.deps.clock.now());
      const actor: Actor = { objectId: user.objectId, name: user.name };
      // Inside the try: the approver check asks Graph for group membership, and that can fail.
      const approver = await this.deps.roles.isApprover(actor);
      const auditor = this.deps.roles.isAuditor(actor);
      return await work({ user, actor, approver, auditor, seesAll: approver || auditor });
    } catch (err) {
      if (err instanceof SsoError) return this.tokenRefused(err, correlationId);
      if (err instanceof UserFacingError)
        return {
          status: refusalStatus(err),
          body: { error: err.code, message: err.message },
          // The rate window is one minute (RequestGate): the gate's sentence says "wait a minute".
          ...(err.code === 'limits.rate' && { headers: { 'Retry-After': '60' } }),
        };
      // The line carries the correlation id through the logger's mixin (this call runs under it).
      this.deps.log.error({ err }, 'tab API failed');
      return {
        status: 500,
        body: {
          error: 'internal',
          message: `Something unexpected went wrong; nothing was changed. Try again in a minute, or give the platform team reference ${correlationId}.`,
          correlationId,
        },
      };
    }
  }

  private tokenRefused(err: SsoError, correlationId: string): ApiReply {
    if (err.status === 503) {
      // The keys could not be fetched: not the caller's token, and not a reason to sign in again
      // (no invalid_token). Logged as the outage it is, answered with the id of that line.
      this.deps.log.error({ err }, 'tab token could not be verified');
      return {
        status: 503,
        body: {
          error: err.code,
          message: `${err.message} If this stays, give the platform team reference ${correlationId}.`,
          correlationId,
        },
        headers: { 'Retry-After': String(KEYS_RETRY_AFTER_S) },
      };
    }
    this.deps.log.info({ code: err.code, status: err.status }, 'tab token refused');
    return {
      status: err.status,
      body: { error: err.code, message: err.message },
      headers:
        err.status === 401
          ? { 'WWW-Authenticate': `Bearer error="invalid_token", error_description="${err.code}"` }
          : { 'WWW-Authenticate': `Bearer error="insufficient_scope", error_description="${err.code}"` },
    };
  }

  /**
   * `isApproverOf` for each request, asked once per rule: the answer depends only on the approvers
   * of the rule a request is bound to (never the caller's own request: those are filtered out
   * before), and each question may be Graph calls for the rule's groups. A request bound to no
   * rule (made before policies) is asked on its own.
   */
  private async approverOfEach(c: Caller, requests: readonly AccessRequest[]): Promise<boolean[]> {
    const approves = askedOncePerApprovers(
      (request) => this.ruleOf(request),
      (request) => this.deps.roles.isApproverOf(c.actor, request),
    );
    return Promise.all(requests.map(approves));
  }

  /**
   * The rule whose approvers review and decide on `request` now ({@link TabRoles.ruleOf}:
   * RequestService.ruleOf); without it, the rule the request is bound to.
   */
  private ruleOf(request: AccessRequest): PolicyRule | undefined {
    return this.deps.roles.ruleOf ? this.deps.roles.ruleOf(request) : request.policy?.rule;
  }
}

/**
 * The name of the snapshot a matrix answer shows, sent as `generatedAt` (the field the page
 * already compares; opaque, for equality only): a digest of everything the whole answer shows,
 * rows in page order with their states and the caller's Extend/Revoke, axes, unresolved
 * clusters. The same on every page while nothing shown changes; any change moves it, whatever
 * caused it. A time did not: the newest `updatedAt` missed what changes with no write to a listed
 * request (a state reckoned from the clock, expiring then expired; an extension asked for, a
 * request the matrix does not show that takes Extend off its original), and the inventory's read
 * time missed the request details read from the store at every load.
 */
function matrixSnapshot(body: Omit<TabMatrix, 'generatedAt'>): string {
  const shown = JSON.stringify([body.clusters, body.registries, body.unresolvedClusters, body.incomplete, body.rows]);
  return `sha256:${createHash('sha256').update(shown).digest('base64url')}`;
}

/**
 * The whole matrix in page order, named by its snapshot ({@link matrixSnapshot}): what every page
 * of a load slices.
 */
function sortedMatrix(whole: Omit<TabMatrix, 'generatedAt'>): TabMatrix {
  const rows = [...whole.rows].sort(byPlace);
  return { ...whole, rows, generatedAt: matrixSnapshot({ ...whole, rows }) };
}

/**
 * Whose matrix a build is: the tenant, the person and their roles, everything the rows and their
 * buttons depend on, so one caller's build never serves another's page.
 */
const callerKey = (c: Caller): string =>
  JSON.stringify([c.user.tenantId, c.user.objectId, c.approver, c.auditor, c.seesAll]);

/** The request belongs to the caller's tenant (the token's `tid`, already lower case). */
const inTenant = (request: AccessRequest, c: Caller): boolean => request.tenantId.toLowerCase() === c.user.tenantId;

/**
 * A refusal's HTTP status: 403 when it is not the caller's to do (the flows' permission rules),
 * 400 for bad input (a duration outside the limits, a missing reason), 429 for the caller's
 * per-user limits (G16: requests started this minute, requests waiting for approval; an
 * extension counts like a new request), 409 for the request's state (not active, no expiry, …).
 */
function refusalStatus(err: UserFacingError): number {
  if (NOT_ALLOWED_CODES.has(err.code)) return 403;
  if (err.code === 'limits.rate' || err.code === 'limits.pending') return 429;
  if (err.code.startsWith('validation.') || err.code === 'policy.maxDuration') return 400;
  return 409;
}

/** `offset` and `limit` from the query, or what is wrong with them. */
function pageOf(query: Record<string, string | undefined>): { offset: number; limit: number } | string {
  // Digits only: Number() would also take "0x1", "1e3" and " " (as 1, 1000 and 0).
  const whole = (v: string | undefined, fallback: number) =>
    v === undefined || v === '' ? fallback : /^\d{1,15}$/.test(v) ? Number(v) : NaN;
  const offset = whole(query.offset, 0);
  const limit = whole(query.limit, MATRIX_PAGE_MAX);
  if (!Number.isSafeInteger(offset) || offset < 0) return 'offset must be a whole number, 0 or more.';
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MATRIX_PAGE_MAX)
    return `limit must be a whole number from 1 to ${MATRIX_PAGE_MAX}.`;
  return { offset, limit };
}

/**
 * Names in the server's default language, as one collator: `localeCompare` without arguments
 * sorts the same, but sets up the language's rules on each of the tens of thousands of
 * comparisons a large matrix's sort makes. The API knows no user's language: the page sorts the
 * axes and its lists again in theirs (web/src/name-order.ts); this order keeps pages stable.
 */
const collate = new Intl.Collator().compare;

/** Strings that are no words (ISO times) in the order of their characters' codes: their order in time. */
const asWritten = compareCodeUnits;

/** A stable order for paging: cluster, registry, then the row's own key. */
const byPlace = (a: TabRow, b: TabRow) =>
  collate(a.cluster.name, b.cluster.name) ||
  collate(a.cluster.id, b.cluster.id) ||
  collate(a.registry.name, b.registry.name) ||
  collate(a.registry.id, b.registry.id) ||
  collate(a.key, b.key);

function axis<T extends { id: string; name: string }>(items: T[]): T[] {
  const byId = new Map<string, T>();
  for (const i of items) if (!byId.has(i.id.toLowerCase())) byId.set(i.id.toLowerCase(), i);
  return [...byId.values()].sort((a, b) => collate(a.name, b.name) || collate(a.id, b.id));
}

const newestFirst = (a: TabRow, b: TabRow) => asWritten(b.createdAt ?? '', a.createdAt ?? '');
const byExpiry = (a: TabRow, b: TabRow) => asWritten(a.expiresAt ?? '9999', b.expiresAt ?? '9999');
const notFound = (id: string): ApiReply => ({
  status: 404,
  body: { error: 'not_found', message: `There is no request ${id.slice(0, 30)} you can see.` },
});
const badRequest = (message: string): ApiReply => ({ status: 400, body: { error: 'bad_request', message } });
const unavailable = (what: string): ApiReply => ({
  status: 501,
  body: { error: 'not_available', message: `${what} is not available in this acrbot yet.` },
});
