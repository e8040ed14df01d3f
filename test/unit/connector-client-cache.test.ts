import {
  AuthenticationConstants,
  ClaimsIdentity,
  type ConnectorClient,
  ConnectorFactory,
} from 'botframework-connector';
import { appIdOf, ConnectorClientCache } from '../../src/bot/connector-client-cache';
import { createAdapter } from '../../src/bot/create-adapter';
import type { AppConfig } from '../../src/config/config';
import { createLogger } from '../../src/observability/logger';

/** A factory that makes a distinct fake client per call and counts the calls. */
class CountingFactory extends ConnectorFactory {
  made: string[] = [];
  failNext = false;
  async create(serviceUrl: string, audience?: string): Promise<ConnectorClient> {
    this.made.push(`${serviceUrl} ${audience}`);
    if (this.failNext) {
      this.failNext = false;
      throw new Error('token endpoint down');
    }
    return { serviceUrl, audience, n: this.made.length } as unknown as ConnectorClient;
  }
}

describe('ConnectorClientCache', () => {
  test('one client per (app id, service URL, audience), across factories handed out per turn', async () => {
    const cache = new ConnectorClientCache();
    const inner = new CountingFactory();
    const first = await cache.connectorFactory('app-1', inner).create('https://smba.example/emea/', 'aud');
    // A later turn gets a new factory from botbuilder; the client is still the same.
    const again = await cache
      .connectorFactory('app-1', new CountingFactory())
      .create('https://smba.example/emea/', 'aud');
    expect(again).toBe(first);
    expect(inner.made).toEqual(['https://smba.example/emea/ aud']);
    const otherUrl = await cache.connectorFactory('app-1', inner).create('https://smba.example/amer/', 'aud');
    const otherAudience = await cache.connectorFactory('app-1', inner).create('https://smba.example/emea/', 'gov');
    const otherApp = await cache.connectorFactory('app-2', inner).create('https://smba.example/emea/', 'aud');
    expect(new Set([first, otherUrl, otherAudience, otherApp]).size).toBe(4);
  });

  test('simultaneous first calls share one client', async () => {
    const cache = new ConnectorClientCache();
    const inner = new CountingFactory();
    const clients = await Promise.all(
      Array.from({ length: 5 }, () => cache.connectorFactory('app-1', inner).create('https://smba.example/', 'aud')),
    );
    expect(new Set(clients).size).toBe(1);
    expect(inner.made).toHaveLength(1);
  });

  test('a failed creation is not kept: the next call tries again', async () => {
    const cache = new ConnectorClientCache();
    const inner = new CountingFactory();
    inner.failNext = true;
    await expect(cache.connectorFactory('app-1', inner).create('https://smba.example/', 'aud')).rejects.toThrow(
      'token endpoint down',
    );
    await expect(cache.connectorFactory('app-1', inner).create('https://smba.example/', 'aud')).resolves.toMatchObject({
      n: 2,
    });
  });

  test('an SDK whose activity calls cannot be prepared falls back to them, said once at warn', async () => {
    // Operations that never reach sendOperationRequest: what a botbuilder that changed how it
    // builds its calls looks like to lean-conversations.ts's probe.
    class ChangedConversations {
      replyToActivity() {}
      sendToConversation() {}
      updateActivity() {}
    }
    const warned: Array<{ fields: unknown; message: string }> = [];
    const cache = new ConnectorClientCache({
      warn: ((fields: unknown, message: string) => warned.push({ fields, message })) as never,
    });
    const inner = new (class extends ConnectorFactory {
      async create(serviceUrl: string): Promise<ConnectorClient> {
        return { serviceUrl, conversations: new ChangedConversations() } as unknown as ConnectorClient;
      }
    })();
    const first = await cache.connectorFactory('app-1', inner).create('https://smba.example/emea/', 'aud');
    await cache.connectorFactory('app-1', inner).create('https://smba.example/amer/', 'aud');
    // The SDK's own methods are left in place: nothing lean was installed on the client.
    expect(Object.prototype.hasOwnProperty.call(first.conversations, 'replyToActivity')).toBe(false);
    expect(warned).toEqual([
      {
        fields: { reason: expect.stringContaining('did not call sendOperationRequest') },
        message: "Bot Connector calls fall back to the SDK's own: its activity serialiser could not be prepared",
      },
    ]);
  });

  test('user-token clients: one per app id', async () => {
    const cache = new ConnectorClientCache();
    let made = 0;
    const make = async () => ({ n: ++made }) as never;
    const a = await cache.userTokenClient('app-1', make);
    expect(await cache.userTokenClient('app-1', make)).toBe(a);
    expect(await cache.userTokenClient('app-2', make)).not.toBe(a);
    expect(made).toBe(2);
  });

  test('the app id is read from the audience claim, else the appid claim', () => {
    expect(appIdOf(new ClaimsIdentity([{ type: AuthenticationConstants.AudienceClaim, value: 'aud-app' }]))).toBe(
      'aud-app',
    );
    expect(appIdOf(new ClaimsIdentity([{ type: AuthenticationConstants.AppIdClaim, value: 'appid-app' }]))).toBe(
      'appid-app',
    );
    expect(appIdOf(new ClaimsIdentity([]))).toBe('');
  });
});

describe('createAdapter', () => {
  test('proactive turns to one service URL reuse one connector client and one user-token client', async () => {
    const config = {
      mode: 'sandbox',
      channelAuth: {},
      app: { id: 'app-1', password: 'not-used-offline', type: 'MultiTenant' },
    } as unknown as AppConfig;
    const adapter = createAdapter(config, createLogger({ level: 'silent' }));
    const seen: unknown[][] = [];
    const reference = { serviceUrl: 'https://smba.example/emea/', conversation: { id: 'c-1' } } as never;
    for (let i = 0; i < 2; i++)
      await adapter.continueConversationAsync('app-1', reference, async (ctx) => {
        seen.push([ctx.turnState.get(adapter.ConnectorClientKey), ctx.turnState.get(adapter.UserTokenClientKey)]);
      });
    expect(seen[0][0]).toBeDefined();
    expect(seen[1][0]).toBe(seen[0][0]);
    expect(seen[1][1]).toBe(seen[0][1]);
  });
});
