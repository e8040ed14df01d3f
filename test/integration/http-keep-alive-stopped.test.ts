/**
 * After {@link stopKeepAlive}, no connection stays open for another request: a request that
 * arrives afterwards is answered `Connection: close`, and a reply already being streamed when
 * keep-alive stopped ends its connection once it is sent (its headers could no longer say so).
 */
import { Agent, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type restify from 'restify';
import { createServer, stopKeepAlive } from '../../src/http/server';
import { LogCapture } from '../helpers/log-capture';

describe('the HTTP server once keep-alive stopped', () => {
  let server: restify.Server;
  let base: string;
  let streaming: { started: Promise<void>; finish: () => void };

  beforeEach(async () => {
    server = createServer({
      processActivity: async () => {},
      checkReady: async () => {},
      log: new LogCapture().logger(),
    });
    // Without Node's idle timeout a kept-alive connection stays open until someone closes it.
    server.server.keepAliveTimeout = 0;
    let started!: () => void;
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    streaming = { started: new Promise<void>((resolve) => (started = resolve)), finish };
    server.get('/stream', async (_req: restify.Request, res: restify.Response) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first part;');
      started();
      await finished;
      res.end('last part');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('a request arriving after the stop is answered Connection: close', async () => {
    stopKeepAlive(server);
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('connection')).toBe('close');
    await res.arrayBuffer();
  });

  test('a reply being streamed at the stop ends its connection once it is sent', async () => {
    const agent = new Agent({ keepAlive: true });
    const answer = await new Promise<{ body: Promise<string>; socketClosed: Promise<void> }>((resolve, reject) => {
      const req = httpRequest(`${base}/stream`, { agent }, (res) => {
        const socketClosed = new Promise<void>((done) => res.socket.once('close', () => done()));
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        resolve({ body: new Promise((done) => res.on('end', () => done(text))), socketClosed });
      });
      req.on('error', reject);
      req.end();
    });
    await streaming.started;
    stopKeepAlive(server);
    streaming.finish();
    expect(await answer.body).toBe('first part;last part');
    await answer.socketClosed;
    agent.destroy();
  });
});
