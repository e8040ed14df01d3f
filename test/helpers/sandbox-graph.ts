/**
 * A GraphClient for a started sandbox, built as the app builds it there (the sandbox's CA and
 * credential, a shared keep-alive agent, no tracing).
 */
import type { Agent } from 'node:https';
import { GraphClient, type GraphConnection } from '../../src/integrations/graph/graph-client';
import type { Sandbox } from '../../src/sandbox/sandbox';

/** A client of `sandbox`'s Graph emulator over `agent`; `extra` sets what a test changes (a shorter backoff). */
export function sandboxGraphClient(
  sandbox: Sandbox,
  agent: Agent,
  extra: Pick<GraphConnection, 'throttleBackoffMs'> = {},
): GraphClient {
  return new GraphClient({
    endpoint: sandbox.graphUrl,
    credential: sandbox.credential,
    caPem: sandbox.tls.caPem,
    agent,
    tracing: false,
    ...extra,
  });
}
