/**
 * ACRBOT_AUDIT_ANCHOR: where signed audit anchors are appended, a blob container reached with the
 * managed identity or through a connection string (the local emulator). A problem never repeats
 * the value: a connection string carries the account key.
 */
import { parseUrl } from './parse-url';

/** Where audit anchors are appended: a container URL (managed identity) or a connection string with `Container=<name>`. */
export type AnchorTargetSetting =
  { kind: 'identity'; containerUrl: string } | { kind: 'connectionString'; value: string; container: string };

/** Parses ACRBOT_AUDIT_ANCHOR; a string is the problem (never containing the value). */
export function parseAnchorTarget(value: string): AnchorTargetSetting | string {
  const v = value.trim();
  if (/^https:\/\//i.test(v)) {
    const url = parseUrl(v);
    if (!url) return 'is not a valid URL';
    if (url.search || url.username || !/^\/[a-z0-9-]{3,63}\/?$/.test(url.pathname))
      return 'takes https://<account>.blob.core.windows.net/<container> (no SAS, no blob path)';
    return { kind: 'identity', containerUrl: `${url.origin}${url.pathname.replace(/\/$/, '')}` };
  }
  const parts = v.split(';').filter(Boolean);
  const field = (name: string) =>
    parts
      .find((p) => p.toLowerCase().startsWith(`${name}=`))
      ?.slice(name.length + 1)
      .trim();
  const container = field('container');
  const rest = parts.filter((p) => !/^container=/i.test(p)).join(';');
  const endpoint = field('blobendpoint');
  if (
    !container ||
    !/^[a-z0-9-]{3,63}$/.test(container) ||
    !(field('accountkey') || field('sharedaccesssignature')) ||
    // The SDK reads a connection string with a Container field only through its BlobEndpoint.
    !endpoint
  )
    return 'takes https://<account>.blob.core.windows.net/<container>, or a connection string with BlobEndpoint and Container=<name> (local emulator)';
  // Plain http would send the signed requests (a SAS in clear) unencrypted: only to a local emulator.
  if (!/^https:\/\//i.test(endpoint) && !/^http:\/\/(127\.0\.0\.1|localhost)[:/]/i.test(endpoint))
    return 'BlobEndpoint must be https:// (plain http only for a local emulator on 127.0.0.1)';
  return { kind: 'connectionString', value: `${rest};`, container };
}
