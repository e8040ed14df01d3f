/**
 * Reuses Bot Framework clients across turns. botbuilder's ConnectorFactoryImpl builds a new
 * ConnectorClient (a ServiceClient with its whole HTTP pipeline) for every turn and every
 * proactive message, and the adapter a new UserTokenClient per turn: in the profile of 200
 * simultaneous grant flows that was about 2.6 ms of CPU per flow (docs/performance.md). The
 * clients are stateless apart from their credentials, which fetch and refresh their own
 * tokens, so one per (app id, service URL, audience) serves every turn. Each connector client
 * gets the lean activity calls of lean-conversations.ts and the retry policy of
 * connector-http-client.ts (a new activity is never posted twice).
 */
import {
  AuthenticationConstants,
  type ClaimsIdentity,
  type ConnectorClient,
  ConnectorFactory,
  type UserTokenClient,
} from 'botframework-connector';
import type { Logger } from '../observability/logger';
import { withConnectorRetries } from './connector-http-client';
import { withLeanConversations } from './lean-conversations';

/** Teams uses a handful of regional service URLs; the bound only guards against a flood of made-up ones. */
const MAX_ENTRIES = 256;

/** A bounded map of promises; a rejected one is forgotten so the next call tries again. */
class PromiseCache<T> {
  private readonly entries = new Map<string, Promise<T>>();

  get(key: string, make: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(key);
    if (hit) return hit;
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    const made = make();
    this.entries.set(key, made);
    made.catch(() => {
      if (this.entries.get(key) === made) this.entries.delete(key);
    });
    return made;
  }
}

/** The bot's app id as botbuilder reads it from a claims identity (audience, else appid). */
export function appIdOf(claims: ClaimsIdentity): string {
  return (
    claims.getClaimValue(AuthenticationConstants.AudienceClaim) ??
    claims.getClaimValue(AuthenticationConstants.AppIdClaim) ??
    ''
  );
}

/** Connector and user-token clients, made once per key by the given factories. */
export class ConnectorClientCache {
  private readonly connectors = new PromiseCache<ConnectorClient>();
  private readonly userTokens = new PromiseCache<UserTokenClient>();

  /**
   * `log`: where a fall back to the SDK's own activity calls is said, once per loaded SDK (in
   * practice once per process): lean-conversations.ts tells it only as it prepares the SDK.
   */
  constructor(private readonly log?: Pick<Logger, 'warn'>) {}

  /** A factory that hands out the cached client for (app id, service URL, audience). */
  connectorFactory(appId: string, inner: ConnectorFactory): ConnectorFactory {
    const connectors = this.connectors;
    const onFallback = (reason: string) => this.noteFallback(reason);
    return new (class extends ConnectorFactory {
      create(serviceUrl: string, audience?: string): Promise<ConnectorClient> {
        return connectors.get(`${appId}\n${serviceUrl}\n${audience ?? ''}`, async () =>
          withLeanConversations(withConnectorRetries(await inner.create(serviceUrl, audience)), onFallback),
        );
      }
    })();
  }

  /**
   * Says that the lean calls could not be prepared with this SDK (a botbuilder upgrade changed
   * its Activity mapper or operation specs): every activity then goes through the SDK's own
   * calls, which work but cost more CPU per send (docs/performance.md), and nothing else would
   * tell an operator why sends got slower.
   */
  private noteFallback(reason: string): void {
    this.log?.warn(
      { reason },
      "Bot Connector calls fall back to the SDK's own: its activity serialiser could not be prepared",
    );
  }

  /** The cached user-token client of an app id. */
  userTokenClient(appId: string, make: () => Promise<UserTokenClient>): Promise<UserTokenClient> {
    return this.userTokens.get(appId, make);
  }
}
