/**
 * The keys channel tokens are signed with, read from the channel's OpenID metadata
 * (`login.botframework.com`, G1) on acrbot's HTTP client: through the outbound proxy when
 * outbound-proxy.ts says so (NO_PROXY included), with a time limit, and one read at a time.
 *
 * botframework-connector 4.23 reads them itself (auth/openIdMetadata.js) with plain node-fetch:
 * no HTTPS_PROXY (only a `proxySettings` option, which ignores NO_PROXY), no timeout, and each
 * request that finds the keys stale or a kid unknown reads both documents again, concurrently.
 * Behind a proxy, every activity was answered 500 (`getaddrinfo ENOTFOUND`). Its JWT extractor
 * takes the keys from a process-wide cache, one entry per metadata URL
 * (`JwtTokenExtractor.openIdMetadataCache`, consulted by `new JwtTokenExtractor(…)` on every
 * request); {@link useChannelSigningKeys} puts this reader there for the channel's URL. What the
 * extractor does with a key (signature, endorsements, claims) is unchanged.
 *
 * When the keys are read again is the connector's: after 24 hours, or when a token names a kid
 * not among them and the last read is over an hour old. A read that fails keeps the keys read
 * before, if any, and is tried again five minutes later (the connector answered 500 until the
 * documents could be read again); without any, the activity is answered 500.
 */
import type { HttpClient } from '@azure/core-rest-pipeline';
import type * as RestPipeline from '@azure/core-rest-pipeline';
import { AuthenticationError } from 'botframework-connector';
// Not exported by the package's index; the class the channel validation builds per request.
import { JwtTokenExtractor } from 'botframework-connector/lib/auth/jwtTokenExtractor';
import { createPublicKey } from 'node:crypto';
import type { Logger } from '../observability/logger';

/** What the JWT extractor takes from its metadata entry (botframework-connector `IOpenIdMetadataKey`). */
export interface SigningKey {
  /** PEM of the public key. */
  key: string;
  /** Channels the key is endorsed for (`msteams`, …), if the document lists any. */
  endorsements?: string[];
}

/** One key of the JWKS as the channel publishes it. */
interface Jwk {
  kid?: unknown;
  n?: unknown;
  e?: unknown;
  endorsements?: unknown;
}

/** Longest wait for each of the two documents (Teams gives up on an activity after ~15 s). */
export const KEYS_READ_TIMEOUT_MS = 5_000;
/** Keys older than this are read again (the connector's default). */
const REFRESH_AFTER_MS = 24 * 60 * 60 * 1000;
/** An unknown kid reads them again at most this often (the connector's rule). */
const UNKNOWN_KID_AFTER_MS = 60 * 60 * 1000;
/** After a failed read with keys in hand, the next try (not one slow failure per activity). */
const RETRY_AFTER_FAILURE_MS = 5 * 60 * 1000;

/** Reads and keeps the channel's signing keys (the connector's `OpenIdMetadata`, on acrbot's client). */
export class ChannelSigningKeys {
  private keys?: Jwk[];
  /** When the keys were last read, and when a read last started (successful or not). */
  private readAt = -Infinity;
  private triedAt = -Infinity;
  /** The read under way: concurrent requests wait for it rather than start their own. */
  private reading?: Promise<void>;

  constructor(
    /** The channel's OpenID metadata document. */
    private readonly metadataUrl: string,
    private readonly http: HttpClient,
    private readonly log: Logger,
    private readonly timeoutMs = KEYS_READ_TIMEOUT_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** The key `keyId` names, or null (unknown kid, not an RSA key): the connector's `getKey`. */
  async getKey(keyId: string): Promise<SigningKey | null> {
    if (this.due()) await this.refresh();
    const key = this.findKey(keyId);
    if (key || this.now() - this.triedAt <= UNKNOWN_KID_AFTER_MS) return key;
    await this.refresh();
    return this.findKey(keyId);
  }

  /** No keys yet, or old ones and no read tried in the last few minutes. */
  private due(): boolean {
    const now = this.now();
    return !this.keys || (now - this.readAt > REFRESH_AFTER_MS && now - this.triedAt > RETRY_AFTER_FAILURE_MS);
  }

  /** One read at a time; a failure with keys in hand keeps them (logged), without any it is a 500. */
  private async refresh(): Promise<void> {
    this.reading ??= this.read().finally(() => (this.reading = undefined));
    try {
      await this.reading;
    } catch (err) {
      if (!this.keys) throw err;
      this.log.warn({ err }, "the channel's signing keys could not be read again; the ones read before are used");
    }
  }

  private async read(): Promise<void> {
    this.triedAt = this.now();
    const metadata = await this.getJson(this.metadataUrl);
    const jwksUri = (metadata as { jwks_uri?: unknown } | null)?.jwks_uri;
    if (typeof jwksUri !== 'string' || !this.allowed(jwksUri))
      throw new AuthenticationError('Failed to load openID config: no usable jwks_uri', 500);
    const keys = (await this.getJson(jwksUri)) as { keys?: unknown } | null;
    if (!Array.isArray(keys?.keys)) throw new AuthenticationError('Failed to load Keys: no keys array', 500);
    this.keys = keys.keys as Jwk[];
    this.readAt = this.now();
  }

  /** The keys' URL is https, or plain http where the metadata's is (the sandbox's loopback hook). */
  private allowed(url: string): boolean {
    const protocol = URL.canParse(url) ? new URL(url).protocol : '';
    return protocol === 'https:' || (protocol === 'http:' && new URL(this.metadataUrl).protocol === 'http:');
  }

  /** GETs `url` as JSON within the time limit; any failure is an AuthenticationError 500 naming the host. */
  private async getJson(url: string): Promise<unknown> {
    const rest = require('@azure/core-rest-pipeline') as typeof RestPipeline;
    const host = new URL(url).host;
    const controller = new AbortController();
    const request = rest.createPipelineRequest({
      url,
      method: 'GET',
      headers: rest.createHttpHeaders({ accept: 'application/json' }),
      timeout: this.timeoutMs,
      abortSignal: controller.signal,
      allowInsecureConnection: url.startsWith('http:'),
    });
    let timer: NodeJS.Timeout | undefined;
    // The client's own bound is the request's timeout; this one holds whatever the client does.
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(Object.assign(new Error(`no answer within ${this.timeoutMs} ms`), { code: 'ETIMEDOUT' }));
      }, this.timeoutMs);
    });
    try {
      const response = await Promise.race([this.http.sendRequest(request), deadline]);
      if (response.status !== 200)
        throw new AuthenticationError(`Failed to read ${host}'s signing keys: HTTP ${response.status}`, 500);
      return JSON.parse(response.bodyAsText ?? '');
    } catch (err) {
      if (err instanceof AuthenticationError) throw err;
      const e = err as { code?: string; message?: string };
      throw new AuthenticationError(
        `Failed to read ${host}'s signing keys: ${e.code ?? 'error'} (${e.message ?? String(err)})`,
        500,
      );
    } finally {
      clearTimeout(timer);
    }
  }

  /** As the connector: the kid's RSA key as PEM with its endorsements; null for none or another kind. */
  private findKey(keyId: string): SigningKey | null {
    const jwk = this.keys?.find((k) => k?.kid === keyId);
    if (!jwk || typeof jwk.n !== 'string' || typeof jwk.e !== 'string') return null;
    let key: string;
    try {
      key = createPublicKey({ key: { kty: 'RSA', n: jwk.n, e: jwk.e }, format: 'jwk' })
        .export({ type: 'spki', format: 'pem' })
        .toString();
    } catch {
      return null;
    }
    const endorsements = Array.isArray(jwk.endorsements)
      ? jwk.endorsements.filter((x): x is string => typeof x === 'string')
      : undefined;
    return { key, ...(endorsements ? { endorsements } : {}) };
  }
}

/** The connector's process-wide cache of metadata readers, one per URL (private in its typings). */
function extractorCache(): Map<string, unknown> {
  const cache = (JwtTokenExtractor as unknown as { openIdMetadataCache?: unknown }).openIdMetadataCache;
  // A botframework-connector that no longer has it would read the keys its own way again: refuse to start.
  if (!(cache instanceof Map))
    throw new Error(
      'botframework-connector has no JwtTokenExtractor.openIdMetadataCache: channel keys cannot be routed',
    );
  return cache as Map<string, unknown>;
}

/**
 * Makes the connector's channel-token validation take its keys for `metadataUrl` from a
 * {@link ChannelSigningKeys} on `http` (replacing any reader there: the last adapter built wins,
 * one per process in production).
 */
export function useChannelSigningKeys(metadataUrl: string, http: HttpClient, log: Logger): ChannelSigningKeys {
  const keys = new ChannelSigningKeys(metadataUrl, http, log);
  extractorCache().set(metadataUrl, keys);
  return keys;
}
