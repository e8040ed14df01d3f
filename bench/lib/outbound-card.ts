/**
 * The outbound side of a grant flow's Bot Connector calls, for the tools that measure a connector
 * client's CPU per call: the request card as acrbot sends it, and the calls of one flow.
 */
import type { ConnectorClient } from 'botframework-connector';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cardActivity } from '../../src/bot/turn-cards';

/** The channel thread the calls address. */
export const BENCH_CONVERSATION = {
  id: '19:abc@thread.tacv2;messageid=1700000000000',
  isGroup: true,
  conversationType: 'channel',
  name: '',
};

/** A fresh activity carrying the request card (~3 KB) for the connector at `serviceUrl`. */
export function requestCardActivity(serviceUrl: string): () => Record<string, unknown> {
  const card = JSON.parse(readFileSync(join(__dirname, '../../cards/request.json'), 'utf8')) as Record<string, unknown>;
  return () => ({
    ...cardActivity(card),
    channelId: 'msteams',
    serviceUrl,
    from: { id: '28:bot', name: 'acrbot' },
    recipient: { id: '29:user', name: 'Ada', aadObjectId: '00000000-0000-0000-0000-000000000001' },
    conversation: BENCH_CONVERSATION,
    locale: 'en-US',
  });
}

/** A grant flow's connector calls on `client`: reply 1, send 3, update 2. */
export function grantFlowCalls(client: ConnectorClient, serviceUrl: string): Array<() => Promise<unknown>> {
  const activity = requestCardActivity(serviceUrl);
  const id = BENCH_CONVERSATION.id;
  return [
    () => client.conversations.replyToActivity(id, '1700000000000', activity()),
    () => client.conversations.sendToConversation(id, activity()),
    () => client.conversations.sendToConversation(id, activity()),
    () => client.conversations.sendToConversation(id, activity()),
    () => client.conversations.updateActivity(id, 'act-1', { ...activity(), id: 'act-1' }),
    () => client.conversations.updateActivity(id, 'act-1', { ...activity(), id: 'act-1' }),
  ];
}
