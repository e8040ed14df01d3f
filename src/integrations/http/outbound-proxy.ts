/**
 * The forward proxy acrbot's Azure calls go through, read from the environment as the Azure SDK's
 * `proxyPolicy` reads it (@typespec/ts-http-runtime, policies/proxyPolicy.js), so the pooled
 * HTTP client (which decides for every request it sends on its pools) and the SDK (which decides
 * for the few requests left to its Node client) give every host the same answer:
 *
 * - the proxy: `HTTPS_PROXY`, else `ALL_PROXY`, else `HTTP_PROXY` (each upper case first, then
 *   lower case), for https and http targets alike;
 * - `NO_PROXY` (or `no_proxy`): comma-separated entries; `.example.com` matches example.com and
 *   every name under it, any other entry matches exactly that host name (or IP literal). No
 *   ports, wildcards or address ranges, as in the SDK: an entry with one never matches, and is
 *   named in a start warning ({@link noProxyWarnings}) rather than silently sent through the proxy.
 *
 * Each value is read like every other setting (README "Configuration", readSettingValue):
 * trimmed, a blank one unset (the next name is read, as after an empty one), quotes refused (in
 * NO_PROXY they would stay in its first and last entries, so those hosts would never be reached
 * directly). The SDK reads `process.env` itself and would take a blank value for a proxy URL
 * (and fail to build a pipeline on it), so the entry point hands it the same values first
 * ({@link normaliseProxyEnvironment}); quoted ones stop the start.
 *
 * The proxy URL may carry credentials (`http://user:pass@proxy:3128`): it is never put into a
 * message (log its `origin` if ever needed, which has none).
 */
import { readSettingValue } from '../../config/setting-value';

/** A forward proxy and the hosts reached without it. */
export interface OutboundProxy {
  /** `http:` or `https:` URL of the proxy, credentials (if any) included. */
  url: URL;
  /** NO_PROXY entries (see the module comment for how they match). */
  noProxy: readonly string[];
}

/** The proxy variables are unusable: every problem, each naming a variable, none its value. */
export class ProxySettingsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('; '));
    this.name = 'ProxySettingsError';
  }
}

/** Environment variables holding the proxy, in the SDK's order of precedence. */
const PROXY_VARIABLES = ['HTTPS_PROXY', 'ALL_PROXY', 'HTTP_PROXY'] as const;

/** Every variable the proxy is read from, each name in both cases. */
const PROXY_ENVIRONMENT_NAMES: readonly string[] = [...PROXY_VARIABLES, 'NO_PROXY'].flatMap((name) => [
  name,
  name.toLowerCase(),
]);

/** `name`'s value as acrbot reads it: upper case if set and not blank, else lower case. */
function environmentValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  return readSettingValue(name, env[name]).value ?? readSettingValue(name, env[name.toLowerCase()]).value;
}

/**
 * The forms of NO_PROXY entry the SDK (and so acrbot) does not understand, each with what it
 * looks like: such an entry never matches, so its hosts are sent through the proxy.
 */
const INERT_NO_PROXY_FORMS: readonly { test: (entry: string) => boolean; form: string }[] = [
  { test: (entry) => entry.includes('*'), form: 'a wildcard (*.example.com; write .example.com)' },
  { test: (entry) => entry.includes('/'), form: 'an address range (172.16.0.0/12; list the addresses)' },
  // host:port or [v6]:port; a bare IPv6 address holds colons too, but no port after a bracket.
  {
    test: (entry) => /^\[[^\]]*\]:\d*$/.test(entry) || /^[^:[\]]+:\d*$/.test(entry),
    form: 'a port (host:443; write the host alone)',
  },
];

/**
 * A warning for each form of NO_PROXY entry among `entries` that never matches (a wildcard, an
 * address range, a port), naming the form and how many entries have it, never an entry.
 */
export function noProxyWarnings(entries: readonly string[]): string[] {
  return INERT_NO_PROXY_FORMS.flatMap(({ test, form }) => {
    const count = entries.filter(test).length;
    if (count === 0) return [];
    const which = count === 1 ? 'an entry' : `${count} entries`;
    return [
      `NO_PROXY has ${which} with ${form}, which the Azure SDK and acrbot do not understand: it never matches, so those hosts are reached through the proxy (docs/operations.md, "Outbound proxy")`,
    ];
  });
}

/**
 * The proxy the environment names (undefined when none is set), and what is wrong with the
 * variables: one in quotes (any of them, in the case it is set in), or a proxy that is not an
 * http(s) URL. No problem repeats a value, which may hold a password. `warnings`: NO_PROXY
 * entries that never match ({@link noProxyWarnings}), with a proxy set; they do not stop the start.
 */
export function readProxyEnvironment(env: NodeJS.ProcessEnv = process.env): {
  proxy: OutboundProxy | undefined;
  problems: string[];
  warnings: string[];
} {
  // The names as the environment holds them: on Windows, where HTTPS_PROXY and https_proxy are
  // one variable, it is named once.
  const problems = Object.keys(env)
    .filter((name) => PROXY_ENVIRONMENT_NAMES.includes(name))
    .flatMap((name) => readSettingValue(name, env[name]).quotedProblem ?? []);
  const variable = PROXY_VARIABLES.find((name) => environmentValue(env, name));
  if (!variable) return { proxy: undefined, problems, warnings: [] };
  let url: URL;
  try {
    url = new URL(environmentValue(env, variable)!);
  } catch {
    problems.push(`${variable} is not a URL (expected http://host:port, credentials optional)`);
    return { proxy: undefined, problems, warnings: [] };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    // Not the scheme it has: `proxy.contoso.com:3128` parses as the scheme `proxy.contoso.com:`.
    problems.push(`${variable} must be an http:// or https:// URL (expected http://host:port, credentials optional)`);
    return { proxy: undefined, problems, warnings: [] };
  }
  const noProxy = (environmentValue(env, 'NO_PROXY') ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  return { proxy: { url, noProxy }, problems, warnings: noProxyWarnings(noProxy) };
}

/**
 * The proxy the environment names, or undefined when none is set. Throws a
 * {@link ProxySettingsError} (never repeating a value) when a variable cannot be used.
 */
export function proxyFromEnvironment(env: NodeJS.ProcessEnv = process.env): OutboundProxy | undefined {
  const { proxy, problems } = readProxyEnvironment(env);
  if (problems.length) throw new ProxySettingsError(problems);
  return proxy;
}

/**
 * Rewrites the proxy variables in `env` as acrbot reads them, for the libraries that read
 * `process.env` themselves (the Azure SDK's proxy policy, when a pipeline is built and, for
 * NO_PROXY, once per process; axios in botbuilder): a blank one is deleted, so that they too read
 * the next name, and the others are trimmed. A quoted one is left as it is: the start is refused.
 * Call it before anything reads them, i.e. before telemetry starts.
 */
export function normaliseProxyEnvironment(env: NodeJS.ProcessEnv = process.env): void {
  for (const name of Object.keys(env).filter((key) => PROXY_ENVIRONMENT_NAMES.includes(key))) {
    const { value, quotedProblem } = readSettingValue(name, env[name]);
    if (quotedProblem) continue;
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
}

/** True when `proxy` applies to `target` (a URL), i.e. NO_PROXY does not exclude its host. */
export function proxies(proxy: OutboundProxy, target: URL): boolean {
  const host = target.hostname;
  for (const entry of proxy.noProxy) {
    if (entry.startsWith('.') ? host.endsWith(entry) || host === entry.slice(1) : host === entry) return false;
  }
  return true;
}

/** Host names (as `URL.hostname` spells them) of this machine's loopback interface. */
const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

/** `proxy` with the loopback host names added to its NO_PROXY entries (once). */
export function withLoopbackDirect(proxy: OutboundProxy): OutboundProxy {
  const missing = LOOPBACK_HOSTS.filter((host) => !proxy.noProxy.includes(host));
  return missing.length ? { ...proxy, noProxy: [...proxy.noProxy, ...missing] } : proxy;
}
