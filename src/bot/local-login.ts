/**
 * The bot's own Bot Framework token from a local Entra authority (test hook
 * ACRBOT_CHANNEL_LOGIN_URL, sandbox mode only): the sandbox identity emulator instead of
 * login.microsoftonline.com, so a test's app password never leaves the machine.
 *
 * botbuilder's own password path cannot be pointed there: for any login URL but Entra's it builds
 * an MSAL client with no known authorities, and MSAL then asks login.microsoftonline.com to
 * validate the host (instance discovery) and trusts only the public CAs. So this builds the
 * production client (bot-token-client.ts: the same MSAL botframework-connector uses, requests on
 * the pooled HTTP client) with the authority declared known (no discovery call) and the sandbox
 * CA trusted for these requests only. What happens with the password from there on
 * (client-credentials grant, token cache, errors) is botbuilder's and MSAL's code, as in
 * production.
 */
import type { HttpClient } from '@azure/core-rest-pipeline';
import { keepAliveAgent } from '../integrations/azure/arm-connection';
import type { MsalServiceClientCredentialsFactory, ServiceClientCredentialsFactory } from 'botframework-connector';
import type { AppConfig } from '../config/config';
import { botTokenCredentials, passwordTokenCredentials } from './bot-token-client';

/**
 * A credentials factory whose tokens come from `loginUrl` (`https://host:port/<tenant>`) for
 * `appId` with `password`, sent on `http`, trusting `caPem` (the sandbox CA) for that host.
 */
function localLoginCredentials(input: {
  loginUrl: string;
  appId: string;
  password: string;
  http: HttpClient;
  caPem?: string;
}): MsalServiceClientCredentialsFactory {
  return passwordTokenCredentials({
    appId: input.appId,
    password: input.password,
    authority: input.loginUrl,
    http: input.http,
    knownAuthority: true,
    // Registered with the pooled client, which then trusts this CA for these requests.
    ...(input.caPem ? { agent: keepAliveAgent(input.caPem) } : {}),
  });
}

/**
 * The bot's token factory for its settings, as the adapter's replies and `/readyz` both use it:
 * from the local authority at `loginUrl` when the test hook (ACRBOT_CHANNEL_LOGIN_URL) names one,
 * else {@link botTokenCredentials}'s; undefined without an app id.
 */
export function botCredentials(input: {
  app: AppConfig['app'];
  loginUrl?: string;
  http: HttpClient;
  caPem?: string;
}): ServiceClientCredentialsFactory | undefined {
  const { app, loginUrl, http, caPem } = input;
  if (!app.id) return undefined;
  return loginUrl
    ? localLoginCredentials({ loginUrl, appId: app.id, password: app.password ?? '', http, caPem })
    : botTokenCredentials(app, http);
}
