/**
 * The Bot Framework CloudAdapter. With an app id, every inbound activity's JWT is checked
 * (issuer, audience, signature, serviceUrl claim; G1); only sandbox mode may run without one.
 */
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type ConfigurationBotFrameworkAuthenticationOptions } from 'botbuilder';
import type { AppConfig } from '../config/config';
import type { Logger } from '../observability/logger';

/** Builds the adapter from config. */
export function createAdapter(config: AppConfig, log: Logger): CloudAdapter {
  const options: Partial<ConfigurationBotFrameworkAuthenticationOptions> & Record<string, string | undefined> = {
    MicrosoftAppId: config.app.id ?? '',
    MicrosoftAppPassword: config.app.password ?? '',
    MicrosoftAppType: config.app.type,
    MicrosoftAppTenantId: config.app.tenantId ?? '',
  };
  // Test hook (documented in README): trust a local OpenID metadata document for channel tokens.
  if (config.channelAuth.openIdMetadataUrl) options.ToBotFromChannelOpenIdMetadataUrl = config.channelAuth.openIdMetadataUrl;
  if (config.channelAuth.tokenIssuer) options.ToBotFromChannelTokenIssuer = config.channelAuth.tokenIssuer;
  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication(options as ConfigurationBotFrameworkAuthenticationOptions));
  adapter.onTurnError = async (ctx, error) => {
    log.error({ err: { message: error.message }, activityType: ctx.activity.type }, 'unhandled error in turn');
    if (ctx.activity.type === 'message') {
      await ctx.sendActivity('Something unexpected went wrong; nothing was changed. Try again in a minute.').catch(() => undefined);
    }
  };
  return adapter;
}
