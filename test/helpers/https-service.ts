/**
 * A local HTTPS server standing in for a cloud service (ARM, Graph) in the adapter tests: each
 * test sets the answers, and every request is recorded, so a test can say what was (and was
 * not) asked, and with which bearer token.
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ArmConnection, keepAliveAgent, staticTokenCredential } from '../../src/integrations/azure/arm-connection';

/** Answers one request; `url` is the request's path and query, as it came. */
export type ServiceHandler = (req: IncomingMessage, res: ServerResponse, url: string) => void;

/** One request the service got. */
export interface ServiceRequest {
  method: string;
  url: string;
  authorization?: string;
}

/** A local HTTPS server whose answers each test sets, recording every request it gets. */
export class HttpsService {
  readonly requests: ServiceRequest[] = [];
  /** Until a test sets one, every request gets a 500: a call the test did not expect shows. */
  handler: ServiceHandler = (_req, res) => json(res, 500, { error: { code: 'NoHandler', message: 'no handler' } });
  private server?: Server;
  /** `https://127.0.0.1:<port>`, once started. */
  url = '';

  /** Listens on a free port of 127.0.0.1 with the given certificate. */
  async start(tls: { certPem: string; keyPem: string }): Promise<void> {
    this.server = createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
      req.resume();
      req.on('end', () => {
        this.requests.push({ method: req.method!, url: req.url!, authorization: req.headers.authorization });
        this.handler(req, res, req.url!);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `https://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  /** Closes the server, keep-alive connections included (the adapters pool theirs). */
  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

/** Answers `status` with `body` as JSON, and any extra headers. */
export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/**
 * The adapters' connection to `service` standing in for ARM (or Graph): `bearer` as the token,
 * trusting the sandbox CA `caPem` that signed the service's certificate, no tracing. The test
 * destroys its agent when done.
 */
export function connectionTo(service: HttpsService, caPem: string, bearer: string): ArmConnection {
  return {
    endpoint: service.url,
    credential: staticTokenCredential(bearer),
    caPem,
    agent: keepAliveAgent(caPem),
    tracing: false,
  };
}
