/**
 * Every line the HTTP server writes at LOG_LEVEL=trace is one JSON record with a message:
 * restify's bunyan-style level questions (`if (res.log.trace())`) wrote message-less records,
 * two a request, under pino.
 */
import type { AddressInfo } from 'node:net';
import type restify from 'restify';
import { createServer } from '../../src/http/server';
import { withoutLevelQueries } from '../../src/observability/restify-log';
import { LogCapture } from '../helpers/log-capture';

describe('the HTTP server log at trace level', () => {
  let capture: LogCapture;
  let server: restify.Server;
  let base: string;

  beforeEach(async () => {
    capture = new LogCapture();
    server = createServer({
      processActivity: async (_req, res) => {
        res.send(200, {});
      },
      checkReady: async () => {
        throw new Error('store down');
      },
      log: capture.logger('trace'),
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  test('has no line without a message: each request, answered or failed, writes only records with one', async () => {
    const answers = [
      await fetch(`${base}/healthz`),
      await fetch(`${base}/readyz`),
      await fetch(`${base}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'message', id: 'a1' }),
      }),
      await fetch(`${base}/no-such-route`),
    ];
    for (const answer of answers) await answer.text();
    expect(answers.map((a) => a.status)).toEqual([200, 503, 200, 404]);
    // The failed readiness check is logged: the capture does see the server's lines.
    expect(capture.entries().map((e) => e.msg)).toContain('not ready');
    for (const line of capture.lines) {
      expect(line.endsWith('\n') && line.indexOf('\n') === line.length - 1).toBe(true);
      const entry = JSON.parse(line) as { msg?: unknown };
      expect({ line, msg: typeof entry.msg === 'string' && entry.msg.trim() !== '' }).toEqual({ line, msg: true });
    }
  });

  test('a level asked bunyan-style answers false and writes nothing; a call with something to log is written', () => {
    const log = withoutLevelQueries(capture.logger('trace').child({ component: 'restify' }));
    const ask = log.trace as unknown as () => unknown;
    expect(ask.call(log)).toBe(false);
    expect(capture.lines).toEqual([]);
    log.trace({ code: 200 }, 'response sent');
    expect(capture.entries()).toEqual([expect.objectContaining({ level: 10, code: 200, msg: 'response sent' })]);
  });
});
