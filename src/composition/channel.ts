/** Step "channel": the Bot Framework adapter and the card messenger that posts and updates cards. */
import type { CloudAdapter } from 'botbuilder';
import { CardMessenger } from '../bot/card-messenger';
import { createAdapter } from '../bot/create-adapter';
import type { AppConfig } from '../config/config';
import { sharedHttpClient } from '../integrations/http/pooled-http-client';
import type { Logger } from '../observability/logger';
import type { Stores } from './stores';

/** The way out to Teams. */
export interface Channel {
  adapter: CloudAdapter;
  messenger: CardMessenger;
}

/**
 * Builds the adapter (JWT checks per config) and the messenger. `sandboxCaPem`: the CA of the
 * sandbox's own emulators, for the ACRBOT_CHANNEL_LOGIN_URL test hook (create-adapter.ts).
 */
export function createChannel(config: AppConfig, stores: Stores, log: Logger, sandboxCaPem?: string): Channel {
  const adapter = createAdapter(config, log, sharedHttpClient(), sandboxCaPem);
  const messenger = new CardMessenger(
    adapter,
    config.app.id ?? '',
    stores.requests,
    log,
    config.auditChannelId ? { log: stores.audit, channelId: config.auditChannelId } : undefined,
    {
      approvalChannelId: config.approvalChannelId,
      defaultAccessMs: config.access.defaultMs,
      sandbox: config.mode === 'sandbox',
    },
  );
  return { adapter, messenger };
}
