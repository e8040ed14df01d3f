/**
 * Who is acting in a turn, and whether the turn may be served at all (G2, G3). Identity is
 * always `from.aadObjectId`; never anything from card data.
 */
import type { Activity, TurnContext } from 'botbuilder';
import type { Actor } from '../domain/request';
import { displayName } from '../domain/text';

/** The acting user and tenant of a turn. */
export interface TurnIdentity {
  actor: Actor;
  tenantId: string;
}

/**
 * Reads the tenant from where Teams puts it. A signed activity is still the sender's JSON: a
 * tenant id that is not a string (a number, an object) is no tenant, and one in `channelData` is
 * not replaced by the conversation's then.
 */
export function tenantOf(activity: Partial<Activity>): string | undefined {
  const channelData = activity.channelData as { tenant?: { id?: unknown } } | undefined;
  const given = channelData?.tenant?.id ?? activity.conversation?.tenantId;
  return typeof given === 'string' ? given : undefined;
}

/** A field of the activity that must be text: itself if it is a string, else undefined. */
export function textField(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Why a turn is refused before any handler runs. */
export type TurnRefusal = { code: 'rejected.channel' | 'rejected.tenant' | 'rejected.identity'; message: string };

/** Checks channel, tenant and identity; returns the identity or a refusal. */
export function identifyTurn(
  activity: Partial<Activity>,
  allowedTenantIds: readonly string[],
): TurnIdentity | TurnRefusal {
  if (activity.channelId !== 'msteams') {
    return { code: 'rejected.channel', message: 'acrbot only works in Microsoft Teams.' };
  }
  const tenantId = tenantOf(activity);
  if (!tenantId || !allowedTenantIds.some((t) => t.toLowerCase() === tenantId.toLowerCase())) {
    return {
      code: 'rejected.tenant',
      message:
        'acrbot is not enabled for your organisation (tenant); ask your platform team to add it to ACRBOT_ALLOWED_TENANTS.',
    };
  }
  const objectId = textField(activity.from?.aadObjectId);
  if (!objectId) {
    return {
      code: 'rejected.identity',
      message:
        'acrbot needs your Microsoft Entra identity, which this message did not carry; use acrbot from Teams while signed in.',
    };
  }
  // The display name is its owner's text: cleaned once here, for every card and audit entry.
  return { actor: { objectId, name: displayName(textField(activity.from?.name), 'unknown') }, tenantId };
}

/**
 * Drops the sender's `aadObjectId` and `name` when they are not strings. A reply goes to the
 * sender (botbuilder copies `from` into its `recipient`), and the Bot Connector client refuses to
 * serialise one whose fields are not strings: the refusal of a turn, or a turn whose display
 * name was an object, failed as an unexpected error. Called once the turn's identity was read
 * (which refuses a missing object id, and names a missing display name "unknown").
 */
export function dropNonTextSender(activity: Partial<Activity>): void {
  const from = activity.from as Record<string, unknown> | undefined;
  if (!from || typeof from !== 'object') return;
  for (const key of ['aadObjectId', 'name'] as const)
    if (from[key] !== undefined && typeof from[key] !== 'string') delete from[key];
}

/** Type guard for a refusal. */
export function isRefusal(value: TurnIdentity | TurnRefusal): value is TurnRefusal {
  return 'code' in value;
}

/** Where a turn's identity is kept once computed (botbuilder's per-turn state). */
const TURN_IDENTITY = Symbol('acrbot.turnIdentity');

/**
 * {@link identifyTurn} for this turn, computed once: `run`, the message handler, the dialog
 * continuation and the invoke handler all ask, and the answer cannot change within a turn.
 */
export function turnIdentity(ctx: TurnContext, allowedTenantIds: readonly string[]): TurnIdentity | TurnRefusal {
  const known = ctx.turnState.get(TURN_IDENTITY) as TurnIdentity | TurnRefusal | undefined;
  if (known) return known;
  const identity = identifyTurn(ctx.activity, allowedTenantIds);
  ctx.turnState.set(TURN_IDENTITY, identity);
  return identity;
}
