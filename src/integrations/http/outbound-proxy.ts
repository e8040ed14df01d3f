/**
 * The forward proxy acrbot's Azure calls go through, read from the environment exactly as the
 * Azure SDK's `proxyPolicy` reads it (@typespec/ts-http-runtime, policies/proxyPolicy.js), so the
 * pooled HTTP client (which decides for every request it sends on its pools) and the SDK (which
 * decides for the few requests left to its Node client) give every host the same answer:
 *
 * - the proxy: `HTTPS_PROXY`, else `ALL_PROXY`, else `HTTP_PROXY` (each upper case first, then
 *   lower case), for https and http targets alike;
 * - `NO_PROXY` (or `no_proxy`): comma-separated entries; `.example.com` matches example.com and
 *   every name under it, any other entry matches exactly that host name (or IP literal). No
 *   ports, wildcards or address ranges, as in the SDK.
 *
 * The proxy URL may carry credentials (`http://user:pass@proxy:3128`): it is never put into a
 * message (log its `origin` if ever needed, which has none).
 */

/** A forward proxy and the hosts reached without it. */
export interface OutboundProxy {
  /** `http:` or `https:` URL of the proxy, credentials (if any) included. */
  url: URL;
  /** NO_PROXY entries (see the module comment for how they match). */
  noProxy: readonly string[];
}

/** Environment variables holding the proxy, in the SDK's order of precedence. */
const PROXY_VARIABLES = ['HTTPS_PROXY', 'ALL_PROXY', 'HTTP_PROXY'] as const;

/** `name`'s value as the SDK reads it: upper case if set and non-empty, else lower case. */
function environmentValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  return env[name] || env[name.toLowerCase()] || undefined;
}

/**
 * The proxy the environment names, or undefined when none is set. Throws (without repeating the
 * value, which may hold a password) when the variable is not an http(s) URL.
 */
export function proxyFromEnvironment(env: NodeJS.ProcessEnv = process.env): OutboundProxy | undefined {
  const variable = PROXY_VARIABLES.find((name) => environmentValue(env, name));
  if (!variable) return undefined;
  let url: URL;
  try {
    url = new URL(environmentValue(env, variable)!);
  } catch {
    throw new Error(`${variable} is not a URL (expected http://host:port, credentials optional)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    // Not the scheme it has: `proxy.contoso.com:3128` parses as the scheme `proxy.contoso.com:`.
    throw new Error(`${variable} must be an http:// or https:// URL (expected http://host:port, credentials optional)`);
  const noProxy = (environmentValue(env, 'NO_PROXY') ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  return { url, noProxy };
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
