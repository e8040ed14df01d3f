/**
 * The proxy settings as acrbot reads them (src/integrations/http/outbound-proxy.ts), side by side
 * with the Azure SDK's own proxy policy: the same variables in the same order, and the same
 * NO_PROXY answer for every host, so the pools and the SDK's Node client never disagree.
 */
import {
  normaliseProxyEnvironment,
  proxyFromEnvironment,
  proxies,
  ProxySettingsError,
} from '../../src/integrations/http/outbound-proxy';

describe('proxyFromEnvironment', () => {
  test('none set: no proxy', () => {
    expect(proxyFromEnvironment({ NO_PROXY: 'localhost' })).toBeUndefined();
    expect(proxyFromEnvironment({ HTTPS_PROXY: '' })).toBeUndefined();
  });

  test('HTTPS_PROXY, then ALL_PROXY, then HTTP_PROXY; upper case before lower case, an empty one skipped', () => {
    const href = (env: NodeJS.ProcessEnv) => proxyFromEnvironment(env)?.url.href;
    expect(href({ HTTP_PROXY: 'http://h:1', ALL_PROXY: 'http://a:1', HTTPS_PROXY: 'http://s:1' })).toBe('http://s:1/');
    expect(href({ HTTP_PROXY: 'http://h:1', all_proxy: 'http://a:1' })).toBe('http://a:1/');
    expect(href({ http_proxy: 'http://h:1' })).toBe('http://h:1/');
    expect(href({ HTTPS_PROXY: 'http://upper:1', https_proxy: 'http://lower:1' })).toBe('http://upper:1/');
    expect(href({ HTTPS_PROXY: '', https_proxy: 'http://lower:1' })).toBe('http://lower:1/');
  });

  test('NO_PROXY: trimmed entries, upper case first', () => {
    expect(proxyFromEnvironment({ HTTPS_PROXY: 'http://p:1', no_proxy: ' a.example , .b.example,,' })?.noProxy).toEqual(
      ['a.example', '.b.example'],
    );
    expect(proxyFromEnvironment({ HTTPS_PROXY: 'http://p:1', NO_PROXY: 'x', no_proxy: 'y' })?.noProxy).toEqual(['x']);
  });

  test('a value that is no http(s) URL is refused, naming the variable but not repeating the value', () => {
    for (const value of ['user:s3cret@proxy:3128', 'http://[bad:s3cret', 'socks5://u:s3cret@p:1']) {
      let message = '';
      try {
        proxyFromEnvironment({ https_proxy: value });
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toMatch(/HTTPS_PROXY/);
      expect(message).not.toMatch(/s3cret/);
    }
  });
});

describe('the proxy variables are read like every other setting (README "Configuration")', () => {
  /** The problems proxyFromEnvironment throws for `env` ([] when it reads it). */
  function problemsOf(env: NodeJS.ProcessEnv): readonly string[] {
    try {
      proxyFromEnvironment(env);
      return [];
    } catch (err) {
      expect(err).toBeInstanceOf(ProxySettingsError);
      return (err as ProxySettingsError).problems;
    }
  }
  const quoted = (name: string) => `${name} is in quotes, which would be part of its value: remove them`;

  test('a blank value is unset: the next name is read, as after an empty one', () => {
    const href = (env: NodeJS.ProcessEnv) => proxyFromEnvironment(env)?.url.href;
    expect(
      proxyFromEnvironment({ HTTPS_PROXY: ' ', https_proxy: '\n', ALL_PROXY: '\t ', HTTP_PROXY: ' ' }),
    ).toBeUndefined();
    expect(href({ HTTPS_PROXY: ' ', https_proxy: 'http://lower:1' })).toBe('http://lower:1/');
    expect(href({ HTTPS_PROXY: ' ', https_proxy: ' ', ALL_PROXY: 'http://a:1' })).toBe('http://a:1/');
    expect(href({ HTTPS_PROXY: ' http://p:1 \n' })).toBe('http://p:1/');
    expect(proxyFromEnvironment({ HTTPS_PROXY: 'http://p:1', NO_PROXY: ' ', no_proxy: 'a.example' })?.noProxy).toEqual([
      'a.example',
    ]);
  });

  test('a value in quotes is refused in the settings’ words, naming the variable as set, never its value', () => {
    const url = 'http://u:s3cret@proxy.example:3128';
    for (const name of ['HTTPS_PROXY', 'https_proxy', 'ALL_PROXY', 'all_proxy', 'HTTP_PROXY', 'http_proxy'])
      expect(problemsOf({ [name]: `"${url}"` })).toEqual([quoted(name)]);
    // NO_PROXY's quotes would stay in its first and last entries: those hosts never bypassed.
    expect(problemsOf({ HTTPS_PROXY: url, NO_PROXY: '"a.example,b.example"' })).toEqual([quoted('NO_PROXY')]);
    expect(problemsOf({ no_proxy: "'a.example'" })).toEqual([quoted('no_proxy')]);
    // Every problem at once, in one message that repeats no value.
    let message = '';
    try {
      proxyFromEnvironment({ HTTPS_PROXY: `'${url}'`, NO_PROXY: '"a.example,b.example"' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toBe(`${quoted('HTTPS_PROXY')}; ${quoted('NO_PROXY')}`);
  });

  test('normaliseProxyEnvironment leaves what the SDK reads equal to what acrbot reads', () => {
    const env: NodeJS.ProcessEnv = {
      HTTPS_PROXY: ' ',
      https_proxy: ' http://lower:1\n',
      ALL_PROXY: '',
      NO_PROXY: '\t',
      no_proxy: ' a.example ',
      HTTP_PROXY: '"http://quoted:1"',
      PATH: ' /usr/bin ',
    };
    normaliseProxyEnvironment(env);
    // Blank (or empty): gone; set: trimmed; quoted: as it was (the start is refused); others untouched.
    expect(env).toEqual({
      https_proxy: 'http://lower:1',
      no_proxy: 'a.example',
      HTTP_PROXY: '"http://quoted:1"',
      PATH: ' /usr/bin ',
    });
  });
});

describe('proxies (NO_PROXY), as the Azure SDK decides', () => {
  // The SDK's own decision: its proxy policy puts a proxy agent on a request it proxies.
  const { proxyPolicy } = require('@azure/core-rest-pipeline') as typeof import('@azure/core-rest-pipeline');
  async function sdkProxies(noProxy: string[], url: string): Promise<boolean> {
    const policy = proxyPolicy({ host: 'http://proxy', port: 3128 }, { customNoProxyList: noProxy });
    const request = { url, headers: new Map() } as unknown as import('@azure/core-rest-pipeline').PipelineRequest;
    await policy.sendRequest(request, async (r) => ({ request: r, status: 200, headers: {} }) as never);
    return request.agent !== undefined;
  }

  const noProxy = ['localhost', '.corp.example', '10.0.0.1', 'Upper.Example', '*', 'exact.example:443'];
  const hosts = [
    'https://localhost:8443/x',
    'https://corp.example/',
    'https://a.corp.example/',
    'https://a.b.corp.example/',
    'https://notcorp.example/',
    'https://10.0.0.1/',
    'https://10.0.0.10/',
    'https://upper.example/',
    'https://exact.example/',
    'https://management.azure.com/',
    'http://127.0.0.1:10002/devstoreaccount1',
  ];

  test.each(hosts)('%s', async (url) => {
    const ours = proxies({ url: new URL('http://proxy:3128'), noProxy }, new URL(url));
    expect(ours).toBe(await sdkProxies(noProxy, url));
  });

  test('the outcomes the table above checks', () => {
    const decide = (url: string) => proxies({ url: new URL('http://proxy:3128'), noProxy }, new URL(url));
    expect(hosts.filter((h) => !decide(h))).toEqual([
      'https://localhost:8443/x',
      'https://corp.example/',
      'https://a.corp.example/',
      'https://a.b.corp.example/',
      'https://10.0.0.1/',
    ]);
  });
});
