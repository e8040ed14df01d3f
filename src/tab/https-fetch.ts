/**
 * A minimal `fetch` over `node:https` that trusts a given CA for this request only. Node's
 * global fetch takes no CA option (undici is not a dependency), and the sandbox's JWKS is
 * served with a certificate from the sandbox's own CA.
 */
import { request } from 'node:https';

/** Largest JWKS accepted; Entra's is a few KiB. */
const MAX_BYTES = 256 * 1024;

/** Returns a fetch-like function for GET requests that trusts `caPem` (or the default CAs when undefined). */
export function httpsFetch(
  caPem: string | undefined,
): (url: string, init: { headers?: Headers; signal?: AbortSignal }) => Promise<Response> {
  return (url, init) =>
    new Promise<Response>((resolve, reject) => {
      const headers: Record<string, string> = {};
      init.headers?.forEach((v, k) => (headers[k] = v));
      const req = request(
        url,
        { method: 'GET', headers, ...(caPem ? { ca: caPem } : {}), signal: init.signal },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > MAX_BYTES) req.destroy(new Error(`response from ${url} is larger than ${MAX_BYTES} bytes`));
            else chunks.push(c);
          });
          res.on('end', () =>
            resolve(
              new Response(Buffer.concat(chunks), {
                status: res.statusCode ?? 500,
                headers: { 'content-type': String(res.headers['content-type'] ?? 'application/json') },
              }),
            ),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end();
    });
}
