/**
 * The settings of how acrbot runs and whom it runs as: its mode, where it listens, the bot's app
 * registration, the Azure identity and subscriptions it works in, and the Azure endpoints (a
 * sovereign cloud's, or the sandbox's emulators).
 */
import { isIP } from 'node:net';
import { z } from 'zod/v3';
import { isGuid } from '../domain/identifiers';
import { guidList } from './setting-list';
import { nonAsciiWholeNumber, wholeNumber } from './setting-number';
import { urlSetting } from './setting-url';
import { checkServiceEndpoint } from './url-settings';

/** A DNS host name (letters, digits and hyphens per label), as listen() resolves it. */
const HOST_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** The hosting settings, by name, as the settings schema (settings-schema.ts) reads them. */
export const hostingSettings = {
  ACRBOT_MODE: z.enum(['sandbox', 'azure'], { message: 'ACRBOT_MODE must be "sandbox" or "azure"' }).default('sandbox'),
  // Digits only: Number(' ') is 0 (a random port) and Number('0x50') is 80. Other digits (`８０`)
  // are named, as in every whole-number setting (setting-number.ts).
  PORT: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return 3978;
      const port = wholeNumber(v.trim());
      if (port !== undefined && port <= 65535) return port;
      const what = 'a whole number from 0 to 65535';
      const other = nonAsciiWholeNumber(v, what, (n) => n <= 65535);
      ctx.addIssue({ code: 'custom', message: other ? `PORT: ${other}` : `PORT must be ${what}` });
      return 3978;
    }),
  // Handed to listen() as it is: a URL or host:port would fail there, after the settings were accepted.
  HOST: z
    .string()
    .optional()
    .refine((v) => !v || isIP(v) !== 0 || HOST_NAME.test(v), {
      message: 'HOST must be an IP address or a host name to listen on, e.g. 0.0.0.0 (no scheme, port or brackets)',
    }),
  MicrosoftAppId: z
    .string()
    .optional()
    .refine((v) => !v || isGuid(v), { message: "MicrosoftAppId must be the bot's app (client) id, a GUID" }),
  // App Service passes a Key Vault reference it could not resolve through as its text: that
  // would be sent to Entra as the client secret, and every reply would fail to sign in.
  MicrosoftAppPassword: z
    .string()
    .optional()
    .refine((v) => !v || !/^@Microsoft\.KeyVault\(/i.test(v.trim()), {
      message:
        "MicrosoftAppPassword is a Key Vault reference that App Service could not resolve: check that the secret exists in the vault and that the app's identity has Key Vault Secrets User on it, then restart the app",
    }),
  MicrosoftAppType: z
    .enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI'], {
      message: 'MicrosoftAppType must be SingleTenant or UserAssignedMSI (MultiTenant only in sandbox mode)',
    })
    .optional(),
  MicrosoftAppTenantId: z
    .string()
    .optional()
    .refine((v) => !v || isGuid(v), { message: 'MicrosoftAppTenantId must be a GUID' }),
  // Read by the Azure SDK (DefaultAzureCredential), which would fail only at the first Azure call.
  AZURE_CLIENT_ID: z
    .string()
    .optional()
    .refine((v) => !v || isGuid(v), {
      message: "AZURE_CLIENT_ID must be the managed identity's client id, a GUID",
    }),
  AZURE_SUBSCRIPTION_ID: z
    .string()
    .optional()
    .refine((v) => !v || isGuid(v), { message: 'AZURE_SUBSCRIPTION_ID must be a GUID' }),
  ACRBOT_SUBSCRIPTION_IDS: guidList('ACRBOT_SUBSCRIPTION_IDS'),
  ACRBOT_ARM_ENDPOINT: urlSetting('ACRBOT_ARM_ENDPOINT', (v) =>
    checkServiceEndpoint(v, 'none', 'https://management.usgovcloudapi.net'),
  ),
  ACRBOT_GRAPH_ENDPOINT: urlSetting('ACRBOT_GRAPH_ENDPOINT', (v) =>
    checkServiceEndpoint(v, 'prefix', 'https://graph.microsoft.us'),
  ),
};
