/**
 * createAdapter in production (azure mode, a SingleTenant app with a password) gets the bot's own
 * token with acrbot's factory (bot-token-client.ts) on the HTTP client it is given, so through the
 * outbound proxy with bounded waits. botbuilder's default factory would ask Entra with MSAL's own
 * network client instead, which the HTTP client below never sees (the factory itself is tested in
 * test/integration/proxy-bot-token.test.ts; this checks createAdapter wires it).
 */
import { createHttpHeaders, type HttpClient, type PipelineRequest } from '@azure/core-rest-pipeline';
import type { ConversationReference } from 'botbuilder';
import { createAdapter } from '../../src/bot/create-adapter';
import type { AppConfig } from '../../src/config/config';
import { createLogger } from '../../src/observability/logger';

const APP_ID = '0b7c9d1e-2f3a-4b5c-8d6e-7f8091a2b3c4';
const TENANT = '22222222-2222-4222-8222-222222222222';
const SERVICE_URL = 'https://smba.trafficmanager.net/emea/';
const ENTRA = `https://login.microsoftonline.com/${TENANT}`;

/** Entra and the Bot Connector, answered without leaving the machine; every request recorded. */
function stubbedNetwork(): { http: HttpClient; seen: PipelineRequest[] } {
  const seen: PipelineRequest[] = [];
  const http: HttpClient = {
    sendRequest: async (request) => {
      seen.push(request);
      const url = request.url;
      const body = url.startsWith(SERVICE_URL)
        ? { id: 'activity-1' }
        : url.includes('/oauth2/v2.0/token')
          ? { token_type: 'Bearer', access_token: 'token-from-the-given-client', expires_in: 3599 }
          : url.includes('/discovery/instance')
            ? { tenant_discovery_endpoint: `${ENTRA}/v2.0/.well-known/openid-configuration`, metadata: [] }
            : {
                token_endpoint: `${ENTRA}/oauth2/v2.0/token`,
                authorization_endpoint: `${ENTRA}/oauth2/v2.0/authorize`,
                end_session_endpoint: `${ENTRA}/oauth2/v2.0/logout`,
                issuer: `${ENTRA}/v2.0`,
                jwks_uri: `${ENTRA}/discovery/v2.0/keys`,
              };
      return {
        status: url.startsWith(SERVICE_URL) ? 201 : 200,
        request,
        headers: createHttpHeaders({ 'content-type': 'application/json' }),
        bodyAsText: JSON.stringify(body),
      };
    },
  };
  return { http, seen };
}

const production = {
  mode: 'azure',
  channelAuth: {},
  app: { id: APP_ID, password: 'not-a-real-secret', type: 'SingleTenant', tenantId: TENANT },
} as unknown as AppConfig;

test("production: the bot token for a reply is asked for on the adapter's HTTP client, and the reply carries it", async () => {
  const { http, seen } = stubbedNetwork();
  const adapter = createAdapter(production, createLogger({ level: 'silent' }), http);
  const reference: Partial<ConversationReference> = {
    serviceUrl: SERVICE_URL,
    channelId: 'msteams',
    conversation: { id: '19:approvals@thread.tacv2', isGroup: true, conversationType: 'channel', name: '' },
    bot: { id: `28:${APP_ID}`, name: 'acrbot' },
  };
  let failure: unknown;
  await adapter.continueConversationAsync(APP_ID, reference, async (ctx) => {
    await ctx.sendActivity('approval card').catch((err: unknown) => (failure = err));
  });
  expect(failure).toBeUndefined();

  const grant = seen.find((r) => r.method === 'POST' && r.url.includes('/oauth2/v2.0/token'));
  expect(grant?.url.split('?')[0]).toBe(`${ENTRA}/oauth2/v2.0/token`);
  expect(String(grant?.body)).toContain('grant_type=client_credentials');
  const post = seen.find((r) => r.url.startsWith(SERVICE_URL));
  expect(post?.headers.get('authorization')).toBe('Bearer token-from-the-given-client');
});
