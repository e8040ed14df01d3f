/**
 * The tab API served over HTTP on the real server and routes, for tests that call it as the tab
 * page does, with tokens signed by a key the test made (trusted for {@link TAB_ISSUER} and
 * {@link TAB_AUDIENCE}).
 */
import type { AddressInfo } from 'node:net';
import { SignJWT, type CryptoKey } from 'jose';
import { createServer } from '../../src/http/server';
import type { Logger } from '../../src/observability/logger';
import type { TabApi } from '../../src/tab/tab-api';
import { registerTabRoutes } from '../../src/tab/tab-routes';

export const TAB_ISSUER = 'https://issuer.test/v2.0';
export const TAB_AUDIENCE = 'api://tab.test/app';

/** `api` on a server listening on loopback: its base URL, and how to stop it. */
export async function serveTabApi(api: TabApi, log: Logger): Promise<{ base: string; stop: () => Promise<void> }> {
  const server = createServer({ processActivity: async () => {}, checkReady: async () => {}, log });
  registerTabRoutes(server, { api, webRoot: '/nonexistent', log });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A tab SSO token of an hour for `caller` in `tenant`, signed with `key` (kid `k1`). */
export function tabToken(key: CryptoKey, tenant: string, caller: { objectId: string; name: string }): Promise<string> {
  return new SignJWT({ tid: tenant, oid: caller.objectId, name: caller.name, scp: 'access_as_user' })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(TAB_ISSUER)
    .setAudience(TAB_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(key);
}
