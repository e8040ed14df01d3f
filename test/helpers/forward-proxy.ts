/**
 * A forward proxy for tests (test-only code): HTTP CONNECT tunnels to the target, as corporate
 * proxies give HTTPS traffic, and absolute-form forwarding for plain http requests. It counts
 * what it carried per host, can demand Basic credentials, and can misbehave the two ways a hung
 * proxy does: take a CONNECT and never answer it ('silent'), or answer 200 and then carry
 * nothing ('blackhole').
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

/** How the proxy treats a CONNECT. */
export type ProxyMode = 'tunnel' | 'silent' | 'blackhole';

/** A running forward proxy. */
export class ForwardProxy {
  /** CONNECT targets (`host:port`) in the order asked, whatever the proxy did with them. */
  readonly connects: string[] = [];
  /** Absolute-form requests forwarded (`METHOD url`). */
  readonly forwarded: string[] = [];
  /** Proxy-Authorization headers received (CONNECTs and forwarded requests). */
  readonly authorizations: (string | undefined)[] = [];
  mode: ProxyMode = 'tunnel';
  /**
   * CONNECT targets (`host:port`) tunnelled elsewhere (`127.0.0.1:port`): a host name this
   * machine cannot resolve (login.botframework.com) reached, only through the proxy, at a local
   * stand-in. Kept by {@link reset}.
   */
  readonly routes = new Map<string, string>();
  /** `user:pass` the proxy demands (407 otherwise); none by default. */
  credentials?: string;
  url = '';
  private server?: Server;
  private readonly sockets = new Set<Socket>();

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      if (!this.authorized(req)) {
        // Not chained: restify (loaded by suites that start the bot) replaces writeHead with one returning nothing.
        res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"' });
        res.end();
        return;
      }
      this.forwarded.push(`${req.method} ${req.url}`);
      const upstream = httpRequest(req.url!, { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => this.tunnel(req, client, head));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** How many CONNECTs asked for `host:port`. */
  connectsTo(origin: string): number {
    const { host } = new URL(origin);
    return this.connects.filter((c) => c === host).length;
  }

  reset(): void {
    this.connects.length = 0;
    this.forwarded.length = 0;
    this.authorizations.length = 0;
    this.mode = 'tunnel';
    this.credentials = undefined;
  }

  /** Closes the proxy and every connection and tunnel through it. */
  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private authorized(req: IncomingMessage): boolean {
    const header = req.headers['proxy-authorization'];
    this.authorizations.push(header);
    return !this.credentials || header === `Basic ${Buffer.from(this.credentials).toString('base64')}`;
  }

  private tunnel(req: IncomingMessage, client: Socket, head: Buffer): void {
    this.connects.push(req.url ?? '');
    this.sockets.add(client);
    client.on('error', () => client.destroy());
    client.on('close', () => this.sockets.delete(client));
    if (!this.authorized(req)) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\n\r\n');
      return;
    }
    if (this.mode === 'silent') return;
    if (this.mode === 'blackhole') {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      return;
    }
    const target = req.url ?? '';
    const [host, port] = (this.routes.get(target) ?? target).split(/:(?=\d+$)/);
    const upstream = connect(Number(port), host!, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    this.sockets.add(upstream);
    upstream.on('close', () => {
      this.sockets.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
  }
}

/**
 * Runs `body` with the environment variables `vars` set (undefined: unset) and every one of them,
 * in both cases, restored afterwards, however `body` ends.
 */
export async function withEnvironment<T>(
  vars: Record<string, string | undefined>,
  body: () => T | Promise<T>,
): Promise<T> {
  const names = Object.keys(vars).flatMap((n) => [n.toUpperCase(), n.toLowerCase()]);
  const saved = new Map(names.map((n) => [n, process.env[n]]));
  try {
    for (const n of names) delete process.env[n];
    for (const [n, v] of Object.entries(vars)) if (v !== undefined) process.env[n] = v;
    return await body();
  } finally {
    for (const [n, v] of saved) {
      if (v === undefined) delete process.env[n];
      else process.env[n] = v;
    }
  }
}
