/**
 * G12 for a child logger's bindings (`log.child({ requestId })`): they are written into every line
 * the child logs, so a secret value in them (a connection string, a SAS URL) is scrubbed as a
 * logged field is, a secret key below the top is redacted, and an Error is serialised, for a
 * grandchild and a child made with options too. pino writes bindings into the child once, when
 * it is made: the scrubbing costs nothing per line.
 */
import { LogCapture } from '../helpers/log-capture';

const SECRET = 'SENTINELchildBinding3f9a';
const CONNECTION = `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${SECRET}==;EndpointSuffix=core.windows.net`;

test("a child's bindings are scrubbed in every line it and its own children write", () => {
  const logs = new LogCapture();
  const child = logs.logger().child({
    store: CONNECTION,
    call: { url: `https://acct.blob.core.windows.net/c?sv=2022&sig=${SECRET}`, password: SECRET },
    failure: new Error(`cannot open ${CONNECTION}`),
    requestId: 'R-7K3M9P2Q',
  });
  child.info('first');
  child.child({ target: `https://user:${SECRET}@registry.example` }).warn('second');
  expect(logs.lines).toHaveLength(2);
  expect(logs.lines.join('\n')).not.toContain(SECRET);
  const [first, second] = logs.entries() as Record<string, any>[];
  expect(first).toMatchObject({
    msg: 'first',
    store: 'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=[redacted];EndpointSuffix=core.windows.net',
    call: { url: 'https://acct.blob.core.windows.net/c?sv=2022&sig=[redacted]', password: '[redacted]' },
    failure: { type: 'Error', message: expect.stringContaining('AccountKey=[redacted];') },
    requestId: 'R-7K3M9P2Q',
  });
  expect(second).toMatchObject({
    msg: 'second',
    requestId: 'R-7K3M9P2Q',
    store: expect.stringContaining('AccountKey=[redacted];'),
    target: 'https://[redacted]@registry.example',
  });
});

test('a child made with options (as the HTTP server makes its own) has its bindings scrubbed too', () => {
  const logs = new LogCapture();
  const child = logs.logger().child({ component: 'restify', upstream: `sig=${SECRET}` }, { serializers: {} });
  child.info('listening');
  expect(logs.lines.join('\n')).not.toContain(SECRET);
  expect(logs.entries()[0]).toMatchObject({ component: 'restify', upstream: 'sig=[redacted]' });
});

test('bindings are read when the child is made, not again for each line', () => {
  const logs = new LogCapture();
  let reads = 0;
  const bindings = {
    get requestId() {
      reads += 1;
      return 'R-7K3M9P2Q';
    },
  };
  const child = logs.logger().child(bindings);
  const readsToMake = reads;
  expect(readsToMake).toBeGreaterThan(0);
  for (let i = 0; i < 5; i++) child.info('line %d', i);
  expect(reads).toBe(readsToMake);
  expect(logs.entries().map((e) => e.requestId)).toEqual(Array(5).fill('R-7K3M9P2Q'));
});
