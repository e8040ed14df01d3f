/**
 * Which conversations only approvers (and auditors) read: a chat with acrbot, or one of the
 * channels where approvers work (ACRBOT_APPROVAL_CHANNEL, the policy's rule and break-glass
 * channels, ACRBOT_AUDIT_CHANNEL). What is for their eyes only (why new access was paused, the
 * audit log's details, the request cards a read posts with their requesters' reasons) is shown
 * there and left out elsewhere (a requesters' channel, a group chat).
 */
import type { TurnContext } from 'botbuilder';
import type { BotServices } from './bot-services';

/** The channels where approvers work, by Teams channel id. */
export function approversChannels(services: Pick<BotServices, 'settings' | 'requests'>): Set<string> {
  const { settings, requests } = services;
  const policy = requests.currentPolicy();
  return new Set(
    [
      settings.approvalChannelId,
      ...policy.rules.map((r) => r.channel),
      policy.breakGlass?.channel,
      settings.auditChannelId,
    ].filter((id): id is string => !!id),
  );
}

/** Whether only approvers read the turn's conversation: a chat with acrbot, or an approvers' channel. */
export function readByApprovers(ctx: TurnContext, services: Pick<BotServices, 'settings' | 'requests'>): boolean {
  const conversation = ctx.activity.conversation;
  if (conversation?.conversationType === 'personal') return true;
  return approversChannels(services).has((conversation?.id ?? '').split(';')[0]);
}
