/**
 * The plan-time check of a `--kind token` secret against ACR's limits of tokens and scope maps
 * per registry (azure-model.ts REGISTRY_TOKEN_LIMITS): the run makes a token, and a scope map
 * with `--repositories`, each of which Azure refuses (409 QuotaExceeded) on a registry that
 * holds as many as its SKU allows. Found out only then, the requester asked and the approvers
 * approved for nothing; counted at plan time, a full registry is refused before anyone is asked,
 * and one nearly full is said on the card. ACR's `listUsages` would say it in one call, but
 * needs a right acrbot's role does not carry; the token and scope-map listings it reads anyway.
 *
 * A hint, as the target check is (G15): tokens may be made or deleted before approval, and the
 * run's create is what Azure decides. A count that cannot be read (refused, throttled past the
 * pipeline's retries, late) plans on without it, logged at most once an hour per registry; the
 * requester is not told.
 */
import { registryTokenLimit } from '../domain/azure-model';
import { UserFacingError } from '../domain/errors';
import type { Clock, RegistryTokenPort } from '../domain/ports';
import { shortTime } from '../domain/pull-diagnosis';
import type { Logger } from '../observability/logger';
import {
  type QuotaRequest,
  type RegistryCount,
  registryFullSentence,
  registryNearlyFullNote,
} from './azure-failure-text';
import { HOURLY_WARN_EVERY_MS, HourlyWarnings } from './hourly-warning';
import { settleWithin } from './settle-within';

/**
 * Warned of once this share of the limit is used (90%: 10 left on Basic, 50 on Standard, 5,000 on
 * Premium). A share, not a fixed number left: a fixed 5 is a day's requests on a busy Basic
 * registry and nothing at all on Premium, where 5 left is as full as full. Ten percent leaves the
 * platform team time to clean up before requests fail, on every SKU alike.
 */
export const NEAR_LIMIT_SHARE = 0.9;

/** What the room check found: a refusal to throw (full), a note for the card (nearly full), or neither. */
export type TokenRoom = { refusal: UserFacingError } | { note: string } | undefined;

/** The message of the one warning a plan logs when it could not count (docs/operations.md). */
export const ROOM_UNREAD_MESSAGE =
  "counting a registry's tokens and scope maps at plan time failed or took too long; planned without the check against its limits";

/** How often, at most, one process warns {@link ROOM_UNREAD_MESSAGE} of the same registry. */
export const ROOM_UNREAD_WARN_EVERY_MS = HOURLY_WARN_EVERY_MS;

/** This process's warnings of counts unread, spaced per registry (hourly-warning.ts). */
const roomUnreadWarnings = new HourlyWarnings();

/**
 * Warns {@link ROOM_UNREAD_MESSAGE} unless this process warned it of the same registry less than
 * {@link ROOM_UNREAD_WARN_EVERY_MS} ago (at `nowMs`, the plan's clock): a registry whose listings
 * acrbot is always refused (403) fails every token plan's count, and one line an hour tells the
 * operators as well as one per plan would. Per registry, so one registry's warning never hides
 * another's.
 */
function warnRoomUnreadHourly(log: Pick<Logger, 'warn'>, registry: RoomRegistry, nowMs: number, err?: unknown): void {
  const key = `${registry.subscriptionId}/${registry.resourceGroup}/${registry.name}`.toLowerCase();
  if (!roomUnreadWarnings.due(ROOM_UNREAD_MESSAGE, key, nowMs)) return;
  log.warn(
    {
      ...(err !== undefined && { err }),
      registry: registry.name,
      resourceGroup: registry.resourceGroup,
      subscriptionId: registry.subscriptionId,
    },
    ROOM_UNREAD_MESSAGE,
  );
}

/** Lets a test see the warnings again (the spacing is per process). */
export function resetRoomUnreadWarnings(): void {
  roomUnreadWarnings.reset();
}

/**
 * The registry counted. `sku`, when the caller read it with the registry (RegistryInfo), spares
 * the count its own read of it.
 */
type RoomRegistry = { subscriptionId: string; resourceGroup: string; name: string; sku?: string };

/**
 * Counts the registry's tokens and scope maps ({@link RegistryTokenPort.countTokens}) and tells
 * what the plan must say: full for what the run makes (a token; a scope map too with
 * `request.repositories`) is a refusal ({@link registryFullSentence}), nearly full
 * ({@link NEAR_LIMIT_SHARE}) a note ({@link registryNearlyFullNote}, dated when the plan asked, on
 * `clock`). Undefined when there is room, the SKU is one acrbot does not know, the port cannot
 * count, or the count failed or did not come within `waitMs` (logged on `log`, at most once an
 * hour per registry on `clock`: {@link ROOM_UNREAD_WARN_EVERY_MS}). Never rejects. The count
 * stops at the SKU's limit, and asks for no further page once this stops waiting for it.
 */
export async function tokenRoom(
  tokens: Pick<RegistryTokenPort, 'countTokens'> | undefined,
  registry: RoomRegistry,
  request: QuotaRequest,
  clock: Clock,
  waitMs: number,
  log?: Pick<Logger, 'warn'>,
): Promise<TokenRoom> {
  if (!tokens?.countTokens) return undefined;
  const at = shortTime(clock.now().toISOString());
  const unread = (err?: unknown) => {
    if (log) warnRoomUnreadHourly(log, registry, clock.now().getTime(), err);
    return undefined;
  };
  // Aborted once the plan stops waiting (counted, failed or late): a listing no one awaits asks
  // ARM for no further page (ARM's reads come out of the subscription's read quota, which grants
  // and revokes need too).
  const stop = new AbortController();
  let got;
  try {
    got = await settleWithin(
      // A count that reaches the SKU's limit says "full" already: no page past it is asked for.
      // An SKU acrbot does not know (no limit) is judged by nothing: its listings stop once it is known.
      tokens.countTokens(registry, { stopAt: (sku) => registryTokenLimit(sku) ?? 0, abortSignal: stop.signal }),
      waitMs,
    );
  } catch (err) {
    return unread(err);
  } finally {
    stop.abort(new Error('the plan no longer awaits this count'));
  }
  // A count that comes later is dropped (no one waits for it), its failure too.
  if (got.late) return unread();
  const { sku } = got.value;
  const limit = registryTokenLimit(sku);
  if (limit === undefined || sku === undefined) return undefined;
  const counts: RegistryCount[] = [{ what: 'token', count: got.value.tokens, limit }];
  if (request.repositories) counts.push({ what: 'scope map', count: got.value.scopeMaps, limit });
  const full = counts.filter((c) => c.count >= c.limit);
  if (full.length)
    return {
      refusal: new UserFacingError('azure.registryQuota', registryFullSentence(registry.name, sku, full, request)),
    };
  const near = counts.filter((c) => c.count >= Math.ceil(c.limit * NEAR_LIMIT_SHARE));
  return near.length ? { note: registryNearlyFullNote(registry.name, sku, near, at) } : undefined;
}

/**
 * `plan` with what the room check found (`room`): a full registry's refusal is thrown; a nearly
 * full one's note goes on the card's check row (`targetCheck`, shown while a decision is awaited,
 * as what the cluster said of the target is), after the target's own sentence.
 */
export function withRoomNote<P extends { targetCheck?: string }>(plan: P, room: TokenRoom): P {
  if (!room) return plan;
  if ('refusal' in room) throw room.refusal;
  plan.targetCheck = plan.targetCheck ? `${plan.targetCheck} ${room.note}` : room.note;
  return plan;
}
