/** Step "bot": the services the chat handlers share and the Teams bot itself. */
import { AcrBot } from '../bot/acr-bot';
import type { BotServices } from '../bot/bot-services';
import type { AppConfig } from '../config/config';
import type { Clock } from '../domain/ports';
import { BackgroundWork } from '../bot/background-work';
import type { Logger } from '../observability/logger';
import type { Channel } from './channel';
import type { Flows } from './flows';
import type { Stores } from './stores';

/** Builds the bot's services and the bot. */
export function createBot(
  config: AppConfig,
  deps: { flows: Flows; stores: Stores; channel: Channel; clock: Clock; log: Logger },
): { services: BotServices; bot: AcrBot } {
  const { flows, stores, channel, clock, log } = deps;
  const services: BotServices = {
    settings: {
      sandbox: config.mode === 'sandbox',
      allowedTenantIds: config.allowedTenantIds,
      ownTenantId: flows.settings.ownTenantId,
      approvalChannelId: config.approvalChannelId,
      auditChannelId: config.auditChannelId,
    },
    planner: flows.planner,
    secretPlanner: flows.secretPlanner,
    requests: flows.requests,
    pauses: flows.pauses,
    // The one gate: extensions (flows.actions) count against the same per-user caps (G16).
    gate: flows.gate,
    executor: flows.executor,
    inventory: flows.inventory,
    drift: flows.drift,
    audit: stores.audit,
    clock,
    anchors:
      stores.anchors && stores.auditKey && config.auditAnchor
        ? { log: stores.anchors, key: stores.auditKey, intervalMs: config.auditAnchor.intervalMs, clock }
        : undefined,
    messenger: channel.messenger,
    background: new BackgroundWork(log),
    log,
    lifecycle: {
      flow: flows.lifecycle,
      resolver: flows.resolver,
      defaultAccessMs: config.access.defaultMs,
      maxAccessMs: config.access.maxMs,
      actions: flows.actions,
    },
    policyRefusal: () => flows.policies.refusal(),
    announcements: flows.announcements,
  };
  return {
    services,
    bot: new AcrBot(
      services,
      { store: stores.dialogs, clock, ttlMs: config.dialogTtlMs },
      stores.abuse,
      channel.ownCards,
    ),
  };
}
