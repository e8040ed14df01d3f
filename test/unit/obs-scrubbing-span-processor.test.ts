/**
 * The span scrubber on every string a span carries, with the SDK the Azure Monitor distro runs
 * (the sdk-trace-base that @opentelemetry/sdk-node loads, not necessarily the hoisted one): a
 * processor after it sees no secret in the attributes, arrays, events (exception or not), links,
 * status message or name, and what is no secret is left as it was. The export to Application
 * Insights itself is covered by test/integration/telemetry.test.ts.
 */
import { dirname } from 'node:path';
import { type Link, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type * as TraceBase from '@opentelemetry/sdk-trace-base';
import { ScrubbingSpanProcessor } from '../../src/observability/scrubbing-span-processor';

const SECRET = 'SENTINELspanUnit5e8b';

const { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = require(
  require.resolve('@opentelemetry/sdk-trace-base', { paths: [dirname(require.resolve('@opentelemetry/sdk-node'))] }),
) as typeof TraceBase;

test('every string of an ended span is scrubbed before the next processor sees it; other values stay', async () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    spanProcessors: [new ScrubbingSpanProcessor(), new SimpleSpanProcessor(exporter)],
  });
  const link: Link = {
    context: { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 },
    attributes: { 'peer.url': `https://acct.queue.core.windows.net/q?sig=${SECRET}` },
  };
  const span = provider.getTracer('test').startSpan(`GET /c?sv=2022&sig=${SECRET}`, {
    kind: SpanKind.CLIENT,
    links: [link],
    attributes: {
      'url.full': `https://acct.blob.core.windows.net/c?sv=2022&sig=${SECRET}&sp=r`,
      'db.statement': `connect AccountName=acct;AccountKey=${SECRET}==`,
      'http.request.header.authorization': [`Bearer ${SECRET}0123456789`, 'plain'],
      'http.response.status_code': 403,
      'server.address': 'acct.blob.core.windows.net',
    },
  });
  span.recordException(new Error(`cannot open AccountName=acct;AccountKey=${SECRET}==;EndpointSuffix=x`));
  span.addEvent(`retrying with client_secret=${SECRET}`, { note: `password=${SECRET}` });
  span.setStatus({ code: SpanStatusCode.ERROR, message: `refused: sig=${SECRET}` });
  span.end();
  await provider.forceFlush();

  const [exported] = exporter.getFinishedSpans();
  expect(
    JSON.stringify([exported.name, exported.attributes, exported.events, exported.links, exported.status]),
  ).not.toContain(SECRET);
  expect(exported.name).toBe('GET /c?sv=2022&sig=[redacted]');
  expect(exported.attributes).toEqual({
    'url.full': 'https://acct.blob.core.windows.net/c?sv=2022&sig=[redacted]&sp=r',
    'db.statement': 'connect AccountName=acct;AccountKey=[redacted]',
    'http.request.header.authorization': ['Bearer [redacted]', 'plain'],
    'http.response.status_code': 403,
    'server.address': 'acct.blob.core.windows.net',
  });
  const [exception, retry] = exported.events;
  expect(exception.attributes).toMatchObject({
    'exception.type': 'Error',
    'exception.message': 'cannot open AccountName=acct;AccountKey=[redacted];EndpointSuffix=x',
    'exception.stacktrace': expect.stringContaining('AccountKey=[redacted];EndpointSuffix=x'),
  });
  expect(retry).toMatchObject({
    name: 'retrying with client_secret=[redacted]',
    attributes: { note: 'password=[redacted]' },
  });
  expect(exported.links[0].attributes).toEqual({ 'peer.url': 'https://acct.queue.core.windows.net/q?sig=[redacted]' });
  expect(exported.status).toEqual({ code: SpanStatusCode.ERROR, message: 'refused: sig=[redacted]' });
  await provider.shutdown();
});
