/**
 * A local stand-in for `login.botframework.com` (CONTRACTS §6 "Inbound channel authentication"):
 * an OpenID metadata document and its JWKS served over plain HTTP on 127.0.0.1, plus a signer
 * for Bot Connector channel tokens (RS256, `iss=https://api.botframework.com`).
 *
 * Plain HTTP is enough: acrbot reads both documents on its pooled client
 * (src/bot/channel-signing-keys.ts), which takes plain http where the metadata URL is a loopback
 * one (the sandbox hook), so no TLS and no CA trust are needed. The bot is pointed here with
 * `ACRBOT_CHANNEL_OPENID_METADATA_URL` (botbuilder's `ToBotFromChannelOpenIdMetadataUrl`). With
 * `tls` and `publicOrigin` it stands in for login.botframework.com itself, behind a test proxy.
 *
 * Keys: `trusted` (endorsed for `msteams`, as the real keys are) and `webchatOnly` (endorsed for
 * `webchat` only) are published; `foreign` never is.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';

/** The issuer of Bot Connector channel tokens (public cloud). */
export const BOT_CONNECTOR_ISSUER = 'https://api.botframework.com';

/** Which private key signs a token. */
export type SigningKeyName = 'trusted' | 'webchatOnly' | 'foreign';

/** Claims and header of one channel token; every claim can be overridden or dropped (`undefined`). */
export interface ChannelTokenOptions {
  appId: string;
  serviceUrl: string | undefined;
  issuer?: string;
  audience?: string;
  /** Seconds from now; negative means already expired. Default 3600. */
  expiresIn?: number;
  /** Seconds from now for `nbf`/`iat`. Default -60. */
  notBefore?: number;
  key?: SigningKeyName;
  /** Header `kid`; defaults to the signing key's own kid. */
  kid?: string;
  extraClaims?: Record<string, unknown>;
}

/** The running fake. */
export interface FakeChannelIssuer {
  /** `http://127.0.0.1:<port>/v1/.well-known/openidconfiguration` */
  metadataUrl: string;
  jwksUrl: string;
  /** The kid of each key (`foreign` is not published). */
  kids: Record<SigningKeyName, string>;
  /** Paths fetched so far (metadata, keys). */
  fetched: string[];
  /** `127.0.0.1:<port>`, where the server listens (whatever `publicOrigin` says). */
  listening: string;
  /** A signed channel token with the Bot Connector's claim set. */
  channelToken(o: ChannelTokenOptions): Promise<string>;
  stop(): Promise<void>;
}

interface KeyEntry {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: Record<string, unknown>;
  endorsements?: string[];
}

async function makeKey(kid: string, endorsements?: string[]): Promise<KeyEntry> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const jwk = await exportJWK(publicKey);
  return {
    kid,
    privateKey,
    publicJwk: { kty: jwk.kty, use: 'sig', kid, n: jwk.n, e: jwk.e, ...(endorsements ? { endorsements } : {}) },
    endorsements,
  };
}

/** How the fake is reached, when not as itself over plain http. */
export interface FakeChannelIssuerOptions {
  /** Serve https with this certificate (e.g. one naming login.botframework.com). */
  tls?: { certPem: string; keyPem: string };
  /**
   * The origin the documents name (`https://login.botframework.com`): `metadataUrl` and the
   * metadata's `jwks_uri` use it, for a bot that reaches this server by that name (through a
   * test proxy that tunnels there).
   */
  publicOrigin?: string;
}

/** Starts the metadata + JWKS server on 127.0.0.1 and mints its keys. */
export async function startFakeChannelIssuer(options: FakeChannelIssuerOptions = {}): Promise<FakeChannelIssuer> {
  const suffix = Math.random().toString(36).slice(2, 8);
  const [trusted, webchatOnly, foreign] = await Promise.all([
    makeKey(`acrbot-test-msteams-${suffix}`, ['msteams']),
    makeKey(`acrbot-test-webchat-${suffix}`, ['webchat']),
    makeKey(`acrbot-test-foreign-${suffix}`),
  ]);
  const keys: Record<SigningKeyName, KeyEntry> = { trusted, webchatOnly, foreign };
  const fetched: string[] = [];
  let base = '';
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '').split('?')[0];
    fetched.push(path);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    // Same shape as https://login.botframework.com/v1/.well-known/openidconfiguration.
    if (path === '/v1/.well-known/openidconfiguration') {
      return send(200, {
        issuer: BOT_CONNECTOR_ISSUER,
        authorization_endpoint: 'https://invalid.botframework.com',
        jwks_uri: `${base}/v1/.well-known/keys`,
        id_token_signing_alg_values_supported: ['RS256'],
        token_endpoint_auth_methods_supported: ['private_key_jwt'],
      });
    }
    if (path === '/v1/.well-known/keys') return send(200, { keys: [trusted.publicJwk, webchatOnly.publicJwk] });
    send(404, { error: 'not found' });
  };
  const server: Server | TlsServer = options.tls
    ? createTlsServer({ cert: options.tls.certPem, key: options.tls.keyPem }, handler)
    : createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base =
    options.publicOrigin ?? `${options.tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    metadataUrl: `${base}/v1/.well-known/openidconfiguration`,
    jwksUrl: `${base}/v1/.well-known/keys`,
    kids: { trusted: trusted.kid, webchatOnly: webchatOnly.kid, foreign: foreign.kid },
    fetched,
    listening: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    async channelToken(o) {
      const key = keys[o.key ?? 'trusted'];
      const now = Math.floor(Date.now() / 1000);
      const claims: Record<string, unknown> = {
        serviceurl: o.serviceUrl,
        nbf: now + (o.notBefore ?? -60),
        iat: now + (o.notBefore ?? -60),
        exp: now + (o.expiresIn ?? 3600),
        iss: 'issuer' in o ? o.issuer : BOT_CONNECTOR_ISSUER,
        aud: 'audience' in o ? o.audience : o.appId,
        ...o.extraClaims,
      };
      for (const k of Object.keys(claims)) if (claims[k] === undefined) delete claims[k];
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: o.kid ?? key.kid })
        .sign(key.privateKey);
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
