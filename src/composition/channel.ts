/** Step "channel": the Bot Framework adapter and the card messenger that posts and updates cards. */
import type { CloudAdapter } from 'botbuilder';
import type { CardMessenger } from '../bot/card-messenger';
import { OwnCards } from '../bot/own-cards';
import { createAdapter } from '../bot/create-adapter';
import type { AppConfig } from '../config/config';
import type { Clock } from '../domain/ports';
import { sharedHttpClient } from '../integrations/http/pooled-http-client';
import type { Logger } from '../observability/logger';
import { DrainingMessenger } from './draining-messenger';
import { ownTenantOf } from './flows';
import type { Stores } from './stores';

/** The way out to Teams. */
export interface Channel {
  adapter: CloudAdapter;
  messenger: CardMessenger;
  /**
   * Resolves once the card updates under way have ended: the stop waits for it before closing the
   * store, as decisions update their cards without waiting (draining-messenger.ts).
   */
  drain(): Promise<void>;
  /** acrbot's record of the forms and reminders it posted, which a click may take over (G15). */
  ownCards: OwnCards;
}

/**
 * Builds the adapter (JWT checks per config) and the messenger. `sandboxCaPem`: the CA of the
 * sandbox's own emulators, for the ACRBOT_CHANNEL_LOGIN_URL test hook (create-adapter.ts).
 */
export function createChannel(
  config: AppConfig,
  stores: Stores,
  log: Logger,
  /** This instance's lease owner id (the flows' too), and the clock of the stores. */
  owner: string,
  clock: Clock,
  sandboxCaPem?: string,
): Channel {
  const adapter = createAdapter(config, log, sharedHttpClient(), sandboxCaPem);
  const messenger = new DrainingMessenger(
    adapter,
    config.app.id ?? '',
    stores.requests,
    log,
    config.auditChannelId
      ? {
          log: stores.audit,
          channelId: config.auditChannelId,
          // The card's writes take turns across instances (audit-card-lease.ts).
          leases: { store: stores.leases, owner, ttlMs: config.leaseTtlMs, clock },
        }
      : undefined,
    {
      approvalChannelId: config.approvalChannelId,
      defaultAccessMs: config.access.defaultMs,
      sandbox: config.mode === 'sandbox',
      ownTenantId: ownTenantOf(config),
    },
    undefined, // the default outbox
    clock, // how long a "not a member" answer of Teams is believed
  );
  // The messenger posts the reminders whose Extend a click turns into the extension's card; the
  // bot's handlers claim them (and the grant forms it posts).
  const ownCards = new OwnCards(stores.abuse, clock, log);
  messenger.ownCards = ownCards;
  return { adapter, messenger, drain: () => messenger.drain(), ownCards };
}
