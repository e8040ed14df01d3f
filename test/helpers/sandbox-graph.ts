/**
 * A GraphClient for a started sandbox, built as the app builds it there (the sandbox's CA and
 * credential, a shared keep-alive agent, no tracing), and the hooks of a test file built on one.
 */
import type { Agent } from 'node:https';
import { keepAliveAgent } from '../../src/integrations/azure/arm-connection';
import { GraphClient, type GraphConnection } from '../../src/integrations/graph/graph-client';
import { type Sandbox, startSandbox } from '../../src/sandbox/sandbox';

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

/** What {@link useSandboxGraph} started: the sandbox and a client of its Graph emulator. */
export interface SandboxGraph {
  sandbox: Sandbox;
  graph: GraphClient;
}

/**
 * Registers the hooks of a test file that talks to the sandbox's Graph emulator over HTTPS: a
 * sandbox started once, with a client over a keep-alive agent handed to `started` (which may
 * build on it), both stopped after all tests; before each test, the emulator's recorded
 * requests and faults cleared, so a test sees only its own.
 */
export function useSandboxGraph(started: (env: SandboxGraph) => void | Promise<void>): void {
  let sandbox: Sandbox | undefined;
  let agent: Agent | undefined;
  beforeAll(async () => {
    sandbox = await startSandbox();
    agent = keepAliveAgent(sandbox.tls.caPem);
    await started({ sandbox, graph: sandboxGraphClient(sandbox, agent) });
  });
  afterAll(async () => {
    agent?.destroy();
    await sandbox?.stop();
  });
  beforeEach(() => {
    sandbox!.graph.clearRequests();
    sandbox!.graph.faults.clear();
  });
}

/**
 * Fresh object ids from `first` on, for a test file's people and groups: the emulator's directory
 * lives for the whole file, so each test makes its own (files start far apart: 400, 700, 900).
 */
export function directoryIds(first: number): () => string {
  let next = first;
  return () => `0c000000-0000-4000-8000-${String(next++).padStart(12, '0')}`;
}

/** Disables `who`'s account in `sandbox`'s directory, as an admin does in Entra. */
export function disableAccount(sandbox: Sandbox, who: { objectId: string }): void {
  sandbox.directory.users.get(who.objectId)!.accountEnabled = false;
}

/** Deletes `who`'s account from `sandbox`'s directory. */
export function deleteAccount(sandbox: Sandbox, who: { objectId: string }): void {
  sandbox.directory.users.delete(who.objectId);
}
