/**
 * The Azure SDK reads the proxy variables from `process.env` itself (its proxy policy, whenever a
 * pipeline is built; NO_PROXY once per process). Once the entry point has normalised them
 * (normaliseProxyEnvironment), it reads what acrbot reads: a blank HTTPS_PROXY, unset for acrbot,
 * would otherwise be the SDK's proxy URL (no pipeline could be built: "Invalid URL"), and a blank
 * NO_PROXY would hide the lower-case no_proxy acrbot reads. One environment in this file: the SDK
 * keeps the first NO_PROXY it reads in its module (jest gives each file its own).
 */
import type * as RestPipeline from '@azure/core-rest-pipeline';
import { normaliseProxyEnvironment, proxies, proxyFromEnvironment } from '../../src/integrations/http/outbound-proxy';

const VARIABLES: Record<string, string | undefined> = {
  HTTPS_PROXY: ' ',
  https_proxy: ' http://lower.example:3128\n',
  ALL_PROXY: undefined,
  all_proxy: undefined,
  HTTP_PROXY: undefined,
  http_proxy: undefined,
  NO_PROXY: ' ',
  no_proxy: ' a.example , .b.example ',
};
const saved = Object.fromEntries(Object.keys(VARIABLES).map((name) => [name, process.env[name]]));

/** Sets (or, for undefined, deletes) each of `values` in process.env. */
function setEnvironment(values: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries(values))
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
}

beforeAll(() => setEnvironment(VARIABLES));
afterAll(() => setEnvironment(saved));

test('the SDK’s proxy policy sends exactly the hosts acrbot proxies through the same proxy', async () => {
  normaliseProxyEnvironment();
  const ours = proxyFromEnvironment()!;
  expect(ours.url.href).toBe('http://lower.example:3128/');
  // Built from process.env, as every SDK pipeline builds it (and as the telemetry exporter does first).
  const { proxyPolicy } = require('@azure/core-rest-pipeline') as typeof RestPipeline;
  const policy = proxyPolicy();
  const decisions = [];
  for (const url of [
    'https://a.example/',
    'http://a.example/',
    'https://b.example/',
    'https://x.b.example/',
    'https://c.example/',
  ]) {
    const request = { url, headers: new Map() } as unknown as RestPipeline.PipelineRequest;
    await policy.sendRequest(request, async (r) => ({ request: r, status: 200, headers: {} }) as never);
    const sdk = (request.agent as { proxy?: URL } | undefined)?.proxy?.href;
    decisions.push({ url, sdk, acrbot: proxies(ours, new URL(url)) ? ours.url.href : undefined });
  }
  expect(decisions.map((d) => [d.url, d.sdk])).toEqual(decisions.map((d) => [d.url, d.acrbot]));
  expect(decisions.filter((d) => d.acrbot).map((d) => d.url)).toEqual(['https://c.example/']);
});
