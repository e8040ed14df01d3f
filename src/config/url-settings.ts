/**
 * The URL-valued settings, checked with the WHATWG URL parser rather than a pattern: a value that
 * merely starts with `https://` may have no host, or carry a query, fragment or credentials that
 * would end up inside every request acrbot builds from it. Each check answers the value to use or
 * a problem; a problem never repeats the value (it may hold a password).
 */

/** The checked value, or the problem to list (without the setting's name). */
export type UrlCheck = { url: string } | { problem: string };

/** Hosts a local test fake may serve plain HTTP on. */
const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** Parses `text` as an absolute URL; undefined for anything else (or text with white space). */
function parse(text: string): URL | undefined {
  if (/\s/.test(text)) return undefined;
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

/**
 * An Azure service endpoint acrbot appends its request paths to (ACRBOT_ARM_ENDPOINT,
 * ACRBOT_GRAPH_ENDPOINT): https, a host, and no query, fragment or credentials. `path`:
 * - `none` (ARM): the classic autorest client asks for tokens for `<endpoint>/.default`, so any
 *   path would name another resource than ARM's.
 * - `prefix` (Graph): the Graph client adds `/v1.0` after the endpoint and asks for tokens for its
 *   origin only, so a path (e.g. a gateway's) is kept; one ending in a version is refused, as
 *   requests would go to `/v1.0/v1.0/…`.
 *
 * The answer is the parsed URL written out again (lower-case host, default port dropped) without
 * trailing slashes: what the clients join paths to.
 */
export function checkServiceEndpoint(text: string, path: 'none' | 'prefix', example: string): UrlCheck {
  const url = parse(text);
  if (!url || url.protocol !== 'https:' || !url.hostname)
    return { problem: `must be an https:// URL with a host, e.g. ${example}` };
  if (url.username || url.password)
    return { problem: 'must not carry a user name or password (acrbot signs in with its own identity)' };
  // A bare "?" or "#" leaves url.search and url.hash empty: look at the text.
  if (/[?#]/.test(text))
    return { problem: `must not have a query (?…) or fragment (#…): acrbot appends its request paths to it` };
  const pathname = url.pathname.replace(/\/+$/, '');
  if (path === 'none' && pathname !== '')
    return {
      problem: `must be the endpoint's origin only, e.g. ${example} (no path: tokens are asked for <endpoint>/.default)`,
    };
  if (/\/(v1\.0|beta)$/i.test(pathname))
    return {
      problem: `must not end with the API version (${pathname.slice(pathname.lastIndexOf('/'))}): acrbot adds /v1.0 itself`,
    };
  return { url: `${url.origin}${pathname}` };
}

/**
 * ACRBOT_CHANNEL_OPENID_METADATA_URL (sandbox test hook): the document botframework-connector
 * fetches to learn the keys channel tokens are signed with. https, or plain http on a loopback
 * host (a local fake issuer, which needs no CA trust: the connector fetches with node-fetch and
 * accepts either); no credentials. Kept as written: it is only fetched.
 */
export function checkOpenIdMetadataUrl(text: string): UrlCheck {
  const url = parse(text);
  if (!url || !url.hostname || !(url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname))))
    return {
      problem:
        'must be the https:// URL of an OpenID metadata document (plain http only on 127.0.0.1, [::1] or localhost), e.g. https://login.botframework.com/v1/.well-known/openidconfiguration',
    };
  if (url.username || url.password) return { problem: 'must not carry a user name or password' };
  return { url: text };
}

/**
 * ACRBOT_CHANNEL_TOKEN_ISSUER (sandbox test hook): compared as a string with the `iss` claim of
 * channel tokens, so it is checked to be an https URL but returned exactly as written (no slash
 * added or removed, no case changed): `https://sts.windows.net/<tid>/` and the same without its
 * final slash are different issuers.
 */
export function checkTokenIssuer(text: string): UrlCheck {
  const url = parse(text);
  if (!url || url.protocol !== 'https:' || !url.hostname || url.username || url.password || /[?#]/.test(text))
    return {
      problem:
        'must be an https:// URL written exactly as the iss claim of the channel tokens, e.g. https://api.botframework.com (no query, fragment or credentials)',
    };
  return { url: text };
}
