/**
 * An activity whose `serviceUrl` is not a string (any JSON reaches /api/messages) is refused as
 * unauthenticated, like one without: a 401 and a warning, not a TypeError answered 500 and
 * logged as an error, and before anything reads a key or runs a turn.
 */
import { createAdapter } from '../../src/bot/create-adapter';
import type { AppConfig } from '../../src/config/config';
import { LogCapture } from '../helpers/log-capture';

const azure = {
  mode: 'azure',
  channelAuth: {},
  app: {
    id: '11111111-1111-4111-8111-111111111111',
    password: 'not-a-real-secret',
    type: 'SingleTenant',
    tenantId: '22222222-2222-4222-8222-222222222222',
  },
} as unknown as AppConfig;

test.each([123, ['https://x/'], { href: 'https://x/' }, '  ', undefined])(
  'serviceUrl %p: 401, a warning, no error line, no turn',
  async (serviceUrl) => {
    const logs = new LogCapture();
    const sent = { status: 0 };
    const res = { status: (c: number) => void (sent.status = c), send() {}, end() {}, header() {} };
    let ran = false;
    await createAdapter(azure, logs.logger()).process(
      { method: 'POST', headers: { authorization: 'Bearer abc' }, body: { type: 'message', serviceUrl } } as never,
      res as never,
      async () => void (ran = true),
    );
    expect(sent.status).toBe(401);
    expect(ran).toBe(false);
    const levels = logs.entries().map((e) => e.level);
    expect(levels).toContain(40);
    expect(levels.filter((l) => Number(l) >= 50)).toEqual([]);
  },
);
