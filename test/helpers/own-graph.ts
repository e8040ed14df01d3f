/**
 * A Microsoft Graph of a test's own: an HTTPS server (with the sandbox's kind of TLS) that
 * `listener` answers, and GraphClients built as the app builds them, pointed at it. For what the
 * Graph emulator cannot answer: a reset connection, a body cut short, a proxy's page, a
 * next-page link to another host.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TokenCredential } from '@azure/core-auth';
import { keepAliveAgent, staticTokenCredential } from '../../src/integrations/azure/arm-connection';
import { GraphClient } from '../../src/integrations/graph/graph-client';
import { type HttpsEndpoint, startHttpsServer } from '../../src/sandbox/http-util';
import { createSandboxTls } from '../../src/sandbox/tls';

/** Answers one request sent to an {@link OwnGraph}. */
export type GraphListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * The server and one keep-alive agent for its clients. A test may swap `listener` between
 * calls; a subclass that records what was sent overrides {@link OwnGraph.receive}.
 */
export class OwnGraph {
  private endpoint?: HttpsEndpoint;
  private readonly tls = createSandboxTls();
  private readonly agent = keepAliveAgent(this.tls.caPem);

  constructor(public listener: GraphListener = (_req, res) => res.end()) {}

  /** The server's base URL; only once started. */
  get url(): string {
    if (!this.endpoint) throw new Error('OwnGraph is not started: call start() first');
    return this.endpoint.url;
  }

  async start(): Promise<void> {
    this.endpoint = await startHttpsServer({
      host: '127.0.0.1',
      port: 0,
      certPem: this.tls.certPem,
      keyPem: this.tls.keyPem,
      listener: (req, res) => this.receive(req, res),
    });
  }

  /** Every request passes here first; by default `listener` answers it. */
  protected receive(req: IncomingMessage, res: ServerResponse): void {
    this.listener(req, res);
  }

  /** A client of this Graph (at `endpoint` when given: a closed port, say). */
  client(credential: TokenCredential = staticTokenCredential('t'), endpoint = this.url): GraphClient {
    return new GraphClient({ endpoint, credential, caPem: this.tls.caPem, agent: this.agent, tracing: false });
  }

  async stop(): Promise<void> {
    this.agent.destroy();
    await this.endpoint?.close();
  }
}

/** Runs `use` with a client of a Graph that `listener` answers, then stops that Graph. */
export async function withOwnGraph(
  listener: GraphListener,
  use: (client: GraphClient) => Promise<void>,
): Promise<void> {
  const graph = new OwnGraph(listener);
  await graph.start();
  try {
    await use(graph.client());
  } finally {
    await graph.stop();
  }
}
