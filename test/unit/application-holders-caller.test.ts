/**
 * acrbot's own service principal object id, as foreignHolders needs it: the `oid` of its app-only
 * Graph token (graph-caller.ts), never a person's (delegated tokens carry `scp`).
 */
import type { TokenCredential } from '@azure/core-auth';
import { appTokenObjectId, callerObjectId } from '../../src/integrations/graph/graph-caller';
import { GraphClient } from '../../src/integrations/graph/graph-client';
import { GraphServicePrincipals } from '../../src/integrations/graph/graph-service-principals';

const OID = '0A000000-0000-4000-8000-00000000B07A';

function jwt(claims: Record<string, unknown>): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part(claims)}.c2lnbmF0dXJl`;
}

describe('appTokenObjectId', () => {
  it("reads an app-only token's oid, lowercase", () => {
    expect(appTokenObjectId(jwt({ oid: OID, roles: ['Application.ReadWrite.OwnedBy'], idtyp: 'app' }))).toBe(
      OID.toLowerCase(),
    );
  });

  it("refuses a delegated token's oid (a person's)", () => {
    expect(appTokenObjectId(jwt({ oid: OID, scp: 'User.Read' }))).toBeUndefined();
  });

  it('refuses an oid that is no GUID, a token without one, and an opaque token', () => {
    expect(appTokenObjectId(jwt({ oid: 'acrbot' }))).toBeUndefined();
    expect(appTokenObjectId(jwt({ sub: OID }))).toBeUndefined();
    expect(appTokenObjectId('sandbox-token-acrbot;aud=https://graph.microsoft.com')).toBeUndefined();
    expect(appTokenObjectId('a.%%%.c')).toBeUndefined();
  });
});

describe('callerObjectId', () => {
  const credential = (token: string, scopes: string[] = []): TokenCredential => ({
    getToken: async (scope) => {
      scopes.push(...(Array.isArray(scope) ? scope : [scope]));
      return { token, expiresOnTimestamp: Date.now() + 3_600_000 };
    },
  });

  it('asks for a Graph token for the endpoint and reads its oid', async () => {
    const scopes: string[] = [];
    await expect(callerObjectId(credential(jwt({ oid: OID }), scopes), 'https://graph.microsoft.com/')).resolves.toBe(
      OID.toLowerCase(),
    );
    expect(scopes).toEqual(['https://graph.microsoft.com/.default']);
  });

  it('throws when the token names no object id: the ownership check must not pass blind', async () => {
    await expect(callerObjectId(credential('opaque'), 'https://graph.microsoft.com')).rejects.toThrow(
      /names no service principal object id/,
    );
  });
});

describe('GraphServicePrincipals.ownServicePrincipalId', () => {
  /** A credential answering `tokens` in turn (the last repeats), counting the calls. */
  const counting = (tokens: string[], calls: { n: number }): TokenCredential => ({
    getToken: async () => ({ token: tokens[Math.min(calls.n++, tokens.length - 1)], expiresOnTimestamp: 0 }),
  });
  const port = (credential: TokenCredential, own?: string) =>
    new GraphServicePrincipals(
      new GraphClient({ endpoint: 'https://graph.microsoft.com', credential }),
      [],
      async () => {},
      own,
    );

  it("is the Graph token's oid, read once", async () => {
    const calls = { n: 0 };
    const sps = port(counting([jwt({ oid: OID })], calls));
    await expect(sps.ownServicePrincipalId()).resolves.toBe(OID.toLowerCase());
    await expect(sps.ownServicePrincipalId()).resolves.toBe(OID.toLowerCase());
    expect(calls.n).toBe(1);
  });

  it('asks again after a token that named none (not kept)', async () => {
    const calls = { n: 0 };
    const sps = port(counting(['opaque', jwt({ oid: OID })], calls));
    await expect(sps.ownServicePrincipalId()).rejects.toThrow(/names no service principal object id/);
    await expect(sps.ownServicePrincipalId()).resolves.toBe(OID.toLowerCase());
  });

  it('is the configured id when there is one (the sandbox: opaque tokens), without a token', async () => {
    const calls = { n: 0 };
    await expect(port(counting(['opaque'], calls), OID).ownServicePrincipalId()).resolves.toBe(OID.toLowerCase());
    expect(calls.n).toBe(0);
  });
});
