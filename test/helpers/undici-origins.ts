/**
 * The origins of the requests undici creates while some work runs, from its
 * `undici:request:create` diagnostics channel: how tests check that a client's calls go over
 * acrbot's pooled HTTP client (src/integrations/http/pooled-http-client.ts) and not the SDK's
 * Node client, which would create none.
 */
import diagnostics from 'node:diagnostics_channel';

/** Runs `work` and returns the origin of every request undici created meanwhile, in order. */
export async function undiciOrigins(work: () => Promise<unknown>): Promise<string[]> {
  const origins: string[] = [];
  const onCreate = (message: unknown) =>
    origins.push(String((message as { request: { origin: string } }).request.origin));
  diagnostics.subscribe('undici:request:create', onCreate);
  try {
    await work();
  } finally {
    diagnostics.unsubscribe('undici:request:create', onCreate);
  }
  return origins;
}
