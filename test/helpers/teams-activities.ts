/** Teams-shaped inbound activities (CONTRACTS §6) for integration tests. */
import { SANDBOX_APPROVAL_CHANNEL_ID, SANDBOX_TENANT_ID } from '../../src/sandbox/fixtures';

/** A Teams user. */
export interface TeamsUser {
  objectId: string;
  name: string;
  teamsId: string;
}

let sequence = 1_730_000_000_000;

const BOT = { id: '28:acrbot-sandbox', name: 'acrbot' };
/** The team channel requests are made in (channelMessage); its conversation ids start with it. */
export const TEAM_CHANNEL = '19:platform-requests@thread.tacv2';

/** Options common to all activities. */
export interface ActivityOptions {
  serviceUrl: string;
  tenantId?: string;
  channelId?: string;
}

/** A channel message with an `<at>` mention of the bot. */
export function channelMessage(user: TeamsUser, text: string, o: ActivityOptions): Record<string, unknown> {
  const id = String(++sequence);
  const tenantId = o.tenantId ?? SANDBOX_TENANT_ID;
  return {
    type: 'message',
    id,
    channelId: o.channelId ?? 'msteams',
    serviceUrl: o.serviceUrl,
    timestamp: new Date().toISOString(),
    from: { id: user.teamsId, name: user.name, aadObjectId: user.objectId },
    recipient: BOT,
    conversation: { id: `${TEAM_CHANNEL};messageid=${id}`, conversationType: 'channel', isGroup: true, tenantId },
    text: `<at>acrbot</at> ${text}`,
    entities: [
      { type: 'mention', mentioned: BOT, text: '<at>acrbot</at>' },
      { type: 'clientInfo', locale: 'en-US' },
    ],
    channelData: {
      teamsChannelId: TEAM_CHANNEL,
      teamsTeamId: '19:team@thread.tacv2',
      channel: { id: TEAM_CHANNEL },
      team: { id: '19:team@thread.tacv2' },
      tenant: { id: tenantId },
    },
  };
}

/** A 1:1 chat message (no mention). */
export function personalMessage(user: TeamsUser, text: string, o: ActivityOptions): Record<string, unknown> {
  const tenantId = o.tenantId ?? SANDBOX_TENANT_ID;
  return {
    type: 'message',
    id: String(++sequence),
    channelId: o.channelId ?? 'msteams',
    serviceUrl: o.serviceUrl,
    timestamp: new Date().toISOString(),
    from: { id: user.teamsId, name: user.name, aadObjectId: user.objectId },
    recipient: BOT,
    conversation: { id: `a:personal-${user.objectId}`, conversationType: 'personal', tenantId },
    text,
    channelData: { tenant: { id: tenantId } },
  };
}

/** An `adaptiveCard/action` invoke (Action.Execute) on a card in the approvals channel. */
export function cardAction(
  user: TeamsUser,
  verb: string,
  data: Record<string, unknown>,
  o: ActivityOptions & { replyToId?: string; conversationId?: string },
): Record<string, unknown> {
  const tenantId = o.tenantId ?? SANDBOX_TENANT_ID;
  return {
    type: 'invoke',
    name: 'adaptiveCard/action',
    id: String(++sequence),
    channelId: o.channelId ?? 'msteams',
    serviceUrl: o.serviceUrl,
    from: { id: user.teamsId, name: user.name, aadObjectId: user.objectId },
    recipient: BOT,
    conversation: {
      id: o.conversationId ?? SANDBOX_APPROVAL_CHANNEL_ID,
      conversationType: 'channel',
      isGroup: true,
      tenantId,
    },
    replyToId: o.replyToId,
    value: { action: { type: 'Action.Execute', id: 'act', verb, data }, trigger: 'manual' },
    channelData: { tenant: { id: tenantId }, channel: { id: SANDBOX_APPROVAL_CHANNEL_ID } },
  };
}

/** POSTs an activity to the bot; returns status and parsed body. */
export async function postActivity(
  botUrl: string,
  activity: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any }> {
  const res = await fetch(`${botUrl}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(activity),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}
