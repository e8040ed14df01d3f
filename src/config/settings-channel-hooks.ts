/**
 * The sandbox's test hooks for the Bot Framework channel: a local OpenID metadata document and
 * token issuer to trust, and a local Entra authority to ask for the bot's own token. loadConfig
 * refuses them outside sandbox mode.
 */
import { z } from 'zod/v3';
import { urlSetting } from './setting-url';
import { checkOpenIdMetadataUrl, checkTokenIssuer } from './url-settings';

/** The channel's test hooks, by name, as the settings schema (settings-schema.ts) reads them. */
export const channelHookSettings = {
  ACRBOT_CHANNEL_OPENID_METADATA_URL: urlSetting('ACRBOT_CHANNEL_OPENID_METADATA_URL', checkOpenIdMetadataUrl),
  ACRBOT_CHANNEL_TOKEN_ISSUER: urlSetting('ACRBOT_CHANNEL_TOKEN_ISSUER', checkTokenIssuer),
  // MSAL takes only an https authority.
  ACRBOT_CHANNEL_LOGIN_URL: z
    .string()
    .regex(/^https:\/\/[^/?#]+\/[^?#]+$/, { message: 'ACRBOT_CHANNEL_LOGIN_URL must be https://<host>/<tenant>' })
    .optional(),
};
