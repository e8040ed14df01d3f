/**
 * Builds the tab API's token settings from the mode: azure mode trusts Microsoft Entra ID only;
 * sandbox mode trusts the sandbox's local OpenID issuer only. Both are validated by the same
 * {@link validateSsoToken}.
 */
import { entraTrust, singleIssuerTrust } from './issuer-trust';
import type { SsoSettings } from './sso-token';

/**
 * Microsoft 365 client applications Entra pre-authorizes for a Teams SSO tab (Teams desktop and
 * mobile, Teams web, Microsoft 365 web/desktop/mobile, Outlook desktop/web/mobile), from
 * learn.microsoft.com "Configure your tab app in Microsoft Entra ID". A token's `azp` (v2) or
 * `appid` (v1) must be one of them.
 */
export const TEAMS_CLIENT_IDS = [
  '1fec8e78-bce4-4aaf-ab1b-5451cc387264',
  '5e3ce6c0-2b1f-4285-8d4b-75ee78787346',
  '4765445b-32c6-49b0-83e6-1d93765276ca',
  '0ec893e0-5785-4de6-99da-4ed124e5296c',
  'd3590ed6-52b3-4102-aeff-aad2292ab01c',
  'bc59ab01-8403-45c6-8796-ac3ef710b3e3',
  '27922004-5251-4030-b22d-91ecd9a37ea4',
] as const;

/** The sandbox's local issuer (sandbox mode only). */
export interface SandboxIssuerInfo {
  issuer: string;
  jwksUri: string;
  caPem?: string;
  /** The client id the sandbox sign-in page uses. */
  clientId: string;
}

/** What the tab's authentication needs to know. */
export interface TabAuthInput {
  mode: 'sandbox' | 'azure';
  /** The app (client) id the tab's API is registered under (the bot's app id). */
  appId: string;
  /** Host the tab is served from; part of the Application ID URI `api://<domain>/<app id>`. */
  domain: string;
  allowedTenantIds: string[];
  /** Required in sandbox mode, ignored (never trusted) in azure mode. */
  sandboxIssuer?: SandboxIssuerInfo;
}

/** The accepted audiences: the Application ID URI (also in Teams' `botid-` form for bot+tab apps) and, for v2.0 tokens, the app id. */
export function tabAudiences(domain: string, appId: string): string[] {
  return [`api://${domain}/${appId}`, `api://${domain}/botid-${appId}`, appId];
}

/** The validator settings for the mode. */
export function tabSsoSettings(input: TabAuthInput): SsoSettings {
  const audiences = tabAudiences(input.domain, input.appId);
  if (input.mode === 'azure') {
    return {
      trust: entraTrust({ allowedTenantIds: input.allowedTenantIds }),
      audiences,
      allowedTenantIds: input.allowedTenantIds,
      allowedClientIds: [...TEAMS_CLIENT_IDS],
    };
  }
  if (!input.sandboxIssuer) throw new Error('sandbox mode needs the sandbox issuer for the tab');
  return {
    trust: singleIssuerTrust(input.sandboxIssuer),
    audiences,
    allowedTenantIds: input.allowedTenantIds,
    allowedClientIds: [input.sandboxIssuer.clientId, ...TEAMS_CLIENT_IDS],
  };
}
