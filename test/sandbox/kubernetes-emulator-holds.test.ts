/**
 * Requests the Kubernetes emulator holds (`faults.hold`) or delays (`delayMs`) wait until the
 * test releases them, or until their caller's connection closes, as the ARM and Graph
 * emulators' do: a client that gave up (its deadline) or a stopped emulator leaves nothing
 * waiting, and the request goes on, as a real API server finishes work its client no longer
 * waits for. Raw HTTPS, so the test decides when a caller gives up.
 */
import type { ClientRequest } from 'node:http';
import { request } from 'node:https';
import { KubernetesEmulator } from '../../src/sandbox/kubernetes';
import { createSandboxTls } from '../../src/sandbox/tls';

const TOKEN = 't';
let k8s: KubernetesEmulator;

beforeEach(async () => {
  k8s = new KubernetesEmulator({ tls: createSandboxTls(), tokens: { [TOKEN]: 'u' }, namespaces: ['apps'] });
  await k8s.start();
});
afterEach(() => k8s.stop());

/** Sends a request; `answer` resolves with its status, or with the error of a connection that went. */
function send(method: string, path: string, body?: unknown): { req: ClientRequest; answer: Promise<number | Error> } {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const req = request(`${k8s.url}${path}`, {
    method,
    ca: k8s.caPem,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
    },
  });
  const answer = new Promise<number | Error>((resolve) => {
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on('error', resolve);
  });
  if (payload !== undefined) req.write(payload);
  req.end();
  return { req, answer };
}

/** A `meanwhile` that says when the request's wait ended (it runs right after it). */
function waitEnds(): { meanwhile: () => void; ended: Promise<void> } {
  let meanwhile!: () => void;
  const ended = new Promise<void>((resolve) => (meanwhile = resolve));
  return { meanwhile, ended };
}

const secret = (name: string, value: string) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace: 'apps' },
  data: { key: Buffer.from(value).toString('base64') },
});

test('a held request arrives, waits while others go through, and is answered once released', async () => {
  const held = k8s.faults.hold({ resource: 'namespaces', verb: 'get', name: 'apps' });
  expect(held.hasArrived).toBe(false);
  const first = send('GET', '/api/v1/namespaces/apps');
  await held.arrived;
  expect(held.hasArrived).toBe(true);
  // Held: not answered nor logged, while the next request (the hold took one) goes through.
  expect(await send('GET', '/api/v1/namespaces/apps').answer).toBe(200);
  expect(k8s.requests).toHaveLength(1);
  held.release();
  expect(await first.answer).toBe(200);
  expect(k8s.requests).toHaveLength(2);
});

test('a held request whose caller gives up goes on at once: its write lands, unanswered', async () => {
  const { meanwhile, ended } = waitEnds();
  const held = k8s.faults.hold({ method: 'POST', resource: 'secrets', meanwhile });
  const { req, answer } = send('POST', '/api/v1/namespaces/apps/secrets', secret('late', 'v'));
  await held.arrived;
  expect(k8s.getObject('secrets', 'apps', 'late')).toBeUndefined();
  // The caller's deadline: it closes its connection. Never released, the hold ends with it.
  req.destroy();
  await ended;
  // The caller saw no answer: its own side of the connection went.
  expect(typeof (await answer)).toBe('object');
  expect(k8s.getObject('secrets', 'apps', 'late')).toMatchObject({ metadata: { name: 'late' } });
});

test('a delayed request whose caller gives up goes on at once instead of a minute later', async () => {
  const { meanwhile, ended } = waitEnds();
  const taken = new Promise<void>((resolve) => {
    const take = k8s.faults.take.bind(k8s.faults);
    jest.spyOn(k8s.faults, 'take').mockImplementation((target) => {
      const action = take(target);
      if (action) resolve();
      return action;
    });
  });
  k8s.faults.inject({ delayMs: 60_000, meanwhile });
  const { req, answer } = send('GET', '/api/v1/namespaces/apps');
  await taken;
  req.destroy();
  // Without the delay ending with the connection, this waits the whole minute (and times out).
  await ended;
  // The caller saw no answer: its own side of the connection went.
  expect(typeof (await answer)).toBe('object');
});

test('stopping the emulator ends a request held and never released; clearing the faults releases one', async () => {
  const cleared = k8s.faults.hold({ resource: 'namespaces', verb: 'get' });
  const first = send('GET', '/api/v1/namespaces/apps');
  await cleared.arrived;
  k8s.faults.clear();
  expect(await first.answer).toBe(200);

  const { meanwhile, ended } = waitEnds();
  const held = k8s.faults.hold({ resource: 'namespaces', verb: 'get', meanwhile });
  const second = send('GET', '/api/v1/namespaces/apps');
  await held.arrived;
  await k8s.stop();
  await ended;
  expect(((await second.answer) as Error).message).toMatch(/socket hang up|ECONNRESET/);
});
