/**
 * One raw HTTPS call to a Kubernetes emulator, as a client that is not acrbot would make it: for
 * tests that pin the wire answers themselves (status and JSON body), not what acrbot reads of them.
 */
import { request } from 'node:https';

/** A wire answer: the status and the parsed JSON body (undefined when empty). */
export interface KubeReply {
  status: number;
  json: any;
}

/** Sends `method path` with `body` as JSON (or `contentType`) and `token`, trusting the emulator's CA. */
export function kubeRawCall(
  k8s: { url: string; caPem: string },
  token: string,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<KubeReply> {
  const url = new URL(k8s.url);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
  if (payload !== undefined) {
    headers['Content-Type'] = contentType;
    headers['Content-Length'] = String(Buffer.byteLength(payload));
  }
  return new Promise<KubeReply>((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers, ca: k8s.caPem }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}
