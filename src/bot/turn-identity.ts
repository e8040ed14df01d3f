/**
 * Who is acting in a turn, and whether the turn may be served at all (G2, G3). Identity is
 * always `from.aadObjectId`; never anything from card data. The tenant is the conversation's
 * (its host's); a sender who names another tenant of their own is refused.
 */
import type { Activity, TurnContext } from 'botbuilder';
import { z } from 'zod/v3';
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

/**
 * A membership source as Teams describes one (microsoft/Agents#179, the Agents SDK's
 * `MembershipSource`): only its tenant is read. One without a tenant, or whose tenant is not
 * text, says nothing.
 */
const membershipSource = z.object({ tenantId: z.string().trim().min(1) });

/**
 * The tenants the sender's own membership names, when they differ from the conversation's. In a
 * shared channel (Teams Connect) or a federated chat, `tenant.id` and `conversation.tenantId`
 * are the host's for every payload (msteams-docs `build-apps-for-shared-private-channels.md`,
 * "Authenticate external users"); a member of another organisation is told apart only by
 * `channelData.membershipSource.tenantId`, or `from.membershipSources[].tenantId` in newer
 * payloads. Such a member is no user of the host's directory: served as the host tenant, they
 * would request, check and approve as one of its people. A guest (B2B) has an account in the
 * host's directory and is served as its user. In a `conversationUpdate` the membership
 * source is that of the member added or removed, not of the sender: an event about a member of
 * another organisation is ignored, as acrbot acts only on its own arrival and removal.
 */
export function foreignMemberTenants(activity: Partial<Activity>, hostTenantId: string): string[] {
  const channelData = activity.channelData as { membershipSource?: unknown } | undefined;
  const sources = (activity.from as { membershipSources?: unknown } | undefined)?.membershipSources;
  const named = [channelData?.membershipSource, ...(Array.isArray(sources) ? sources : [])]
    .map((source) => membershipSource.safeParse(source))
    .flatMap((parsed) => (parsed.success ? [parsed.data.tenantId] : []));
  // Tenant ids are GUIDs, printed in either case: compared and named once in lower case.
  const host = hostTenantId.toLowerCase();
  return [...new Set(named.map((t) => t.toLowerCase()))].filter((t) => t !== host);
}

/** A field of the activity that must be text: itself if it is a string, else undefined. */
export function textField(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Why a turn is refused before any handler runs. */
export type TurnRefusal = {
  code: 'rejected.channel' | 'rejected.tenant' | 'rejected.identity';
  message: string;
  /** For the audit entry: what was refused beyond the code (never user text). */
  detail?: string;
};

/**
 * Checks channel, tenant (the conversation's, then the sender's own: {@link foreignMemberTenants})
 * and identity; returns the identity or a refusal.
 */
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
  const foreign = foreignMemberTenants(activity, tenantId);
  if (foreign.length > 0) {
    return {
      code: 'rejected.tenant',
      message:
        'acrbot acts only for members of the organisation (tenant) hosting this conversation, and your account belongs to another one; nothing was done. Use acrbot from your own organisation, if it is enabled there.',
      // Bounded, as any field of the activity: at most three tenants, 64 characters each.
      detail: `member of tenant ${foreign
        .slice(0, 3)
        .map((t) => t.slice(0, 64))
        .join(', ')}`,
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
