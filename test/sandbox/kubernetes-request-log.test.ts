/**
 * The Kubernetes emulator's request log keeps the newest requests only: a sandbox bot that runs
 * for days would otherwise keep every request, with its body, in memory.
 */
import { request } from 'node:https';
import { KubernetesEmulator } from '../../src/sandbox/kubernetes';
import { createSandboxTls } from '../../src/sandbox/tls';

const k8s = new KubernetesEmulator({ tls: createSandboxTls(), tokens: { t: 'u' }, requestLogCap: 10 });
beforeAll(() => k8s.start());
afterAll(() => k8s.stop());

function get(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${k8s.url}${path}`, { ca: k8s.caPem, headers: { authorization: 'Bearer t' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
    req.end();
  });
}

test('past its cap the oldest requests go, the newest stay in order', async () => {
  for (let i = 0; i < 25; i++) expect(await get(`/api/v1/namespaces/ns-${i}`)).toBe(404);
  expect(k8s.requests.length).toBeLessThanOrEqual(10);
  expect(k8s.requests.length).toBeGreaterThan(0);
  const kept = k8s.requests.map((r) => Number(r.path.split('ns-')[1]));
  expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => 25 - kept.length + i));
});
