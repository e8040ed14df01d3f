/**
 * Teams-shaped inbound activities, as Teams sends them (same shapes as the integration tests'
 * helpers, kept here so the benchmark does not depend on test code that others are changing).
 */
import { SANDBOX_APPROVAL_CHANNEL_ID, SANDBOX_TENANT_ID, SANDBOX_USERS } from '../../src/sandbox/fixtures';

/** A Teams user. */
export interface TeamsUser {
  objectId: string;
  name: string;
  teamsId: string;
}

/** The sandbox people. */
export const USERS = {
  requester: SANDBOX_USERS.requester as TeamsUser,
  approver: SANDBOX_USERS.approver as TeamsUser,
};

const BOT = { id: '28:acrbot-sandbox', name: 'acrbot' };
const TEAM_CHANNEL = '19:bench-requests@thread.tacv2';

let sequence = 1_730_000_000_000;

/** A fresh activity id (also the thread id of a new channel post). */
export function nextActivityId(): string {
  return String(++sequence);
}

/**
 * A new channel post that @mentions the bot. Teams gives every new post its own conversation
 * id (`<channel>;messageid=<id>`), which is how the benchmark tells flows apart.
 */
export function channelMessage(
  user: TeamsUser,
  text: string,
  serviceUrl: string,
  id = nextActivityId(),
): { activity: Record<string, unknown>; conversationId: string } {
  const conversationId = `${TEAM_CHANNEL};messageid=${id}`;
  const activity = {
    type: 'message',
    id,
    channelId: 'msteams',
    serviceUrl,
    timestamp: new Date().toISOString(),
    from: { id: user.teamsId, name: user.name, aadObjectId: user.objectId },
    recipient: BOT,
    conversation: { id: conversationId, conversationType: 'channel', isGroup: true, tenantId: SANDBOX_TENANT_ID },
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
      tenant: { id: SANDBOX_TENANT_ID },
    },
  };
  return { activity, conversationId };
}

/** A 1:1 chat message (no mention); one fixed conversation per user, as in Teams. */
export function personalMessage(user: TeamsUser, text: string, serviceUrl: string): Record<string, unknown> {
  return {
    type: 'message',
    id: nextActivityId(),
    channelId: 'msteams',
    serviceUrl,
    timestamp: new Date().toISOString(),
    from: { id: user.teamsId, name: user.name, aadObjectId: user.objectId },
    recipient: BOT,
    conversation: { id: `a:personal-${user.objectId}`, conversationType: 'personal', tenantId: SANDBOX_TENANT_ID },
    text,
    channelData: { tenant: { id: SANDBOX_TENANT_ID } },
  };
}

/** An `adaptiveCard/action` invoke (Action.Execute) on a card in the approvals channel. */
export function cardAction(
  user: TeamsUser,
  verb: string,
  data: Record<string, unknown>,
  serviceUrl: string,
): Record<string, unknown> {
  return {
    type: 'invoke',
    name: 'adaptiveCard/action',
    id: nextActivityId(),
    channelId: 'msteams',
    serviceUrl,
    from: { id: user.teamsId, name: user.name, aadObjectId: user.objectId },
    recipient: BOT,
    conversation: {
      id: SANDBOX_APPROVAL_CHANNEL_ID,
      conversationType: 'channel',
      isGroup: true,
      tenantId: SANDBOX_TENANT_ID,
    },
    value: { action: { type: 'Action.Execute', id: 'act', verb, data }, trigger: 'manual' },
    channelData: { tenant: { id: SANDBOX_TENANT_ID }, channel: { id: SANDBOX_APPROVAL_CHANNEL_ID } },
  };
}

/** POSTs an activity to a bot; returns the status and the raw body. */
export async function postActivity(
  botUrl: string,
  activity: Record<string, unknown>,
): Promise<{ status: number; body: string }> {
  const res = await fetch(`${botUrl}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(activity),
  });
  return { status: res.status, body: await res.text() };
}
