/**
 * A lean capturing Bot Connector for benchmarks: the Bot Framework REST endpoints a bot calls
 * on `serviceUrl`. Unlike the test helper it keeps no history (10k flows would make every
 * lookup a scan and every flow a little leak); instead callers register a waiter for a
 * conversation *before* they trigger the bot, and calls are matched as they arrive.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One call the bot made, classified cheaply from its raw JSON. */
export interface ConnectorCall {
  op: 'send' | 'reply' | 'update' | 'delete' | 'createConversation';
  conversationId: string;
  activityId: string;
  /** The activity as received (not parsed unless someone needs it). */
  raw: string;
  /** Activity type (`message`, `typing`, …). */
  type: string;
  /** The first request id (R-XXXXXXXX) in the activity, if any. */
  requestId?: string;
  /** `performance.now()` when the call arrived. */
  at: number;
}

interface Waiter {
  match(call: ConnectorCall): boolean;
  resolve(call: ConnectorCall): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

const REQUEST_ID = /R-[2-9A-HJKMNP-TV-Z]{8}/;

/** The connector. */
export class BenchConnector {
  /** Calls answered so far (all kinds). */
  count = 0;
  url = '';
  private server?: Server;
  private counter = 0;
  private readonly waiters = new Map<string, Set<Waiter>>();
  /** Called for every call (e.g. to count replies); keep it cheap. */
  onCall?: (call: ConnectorCall) => void;

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    // Many concurrent turns each post to the connector; a deep backlog avoids ECONNRESETs.
    await new Promise<void>((resolve) => this.server!.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve));
    this.server.keepAliveTimeout = 30_000;
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
    return this.url;
  }

  async stop(): Promise<void> {
    for (const set of this.waiters.values())
      for (const w of set) {
        clearTimeout(w.timer);
        w.reject(new Error('connector stopped'));
      }
    this.waiters.clear();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /**
   * Resolves with the first call in `conversationId` that `match` accepts. Register it before
   * the action that causes the call; it fails after `timeoutMs`.
   */
  waitFor(
    conversationId: string,
    match: (call: ConnectorCall) => boolean,
    timeoutMs = 10_000,
    what = 'a bot message',
  ): Promise<ConnectorCall> {
    return new Promise<ConnectorCall>((resolve, reject) => {
      let set = this.waiters.get(conversationId);
      if (!set) this.waiters.set(conversationId, (set = new Set()));
      const waiter: Waiter = {
        match,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.forget(conversationId, waiter);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what} in ${conversationId}`));
        }, timeoutMs),
      };
      set.add(waiter);
    });
  }

  private forget(conversationId: string, waiter: Waiter): void {
    const set = this.waiters.get(conversationId);
    set?.delete(waiter);
    if (set && set.size === 0) this.waiters.delete(conversationId);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const parts = (req.url ?? '').split('?')[0].split('/').filter(Boolean).map(decodeURIComponent);
    // v3 / conversations / {id} / activities / {activityId}
    let op: ConnectorCall['op'] | undefined;
    let activityId = '';
    const conversationId = parts[2] ?? '';
    if (req.method === 'POST' && parts.length === 2) {
      op = 'createConversation';
      activityId = `act-${++this.counter}`;
      this.json(res, 200, { id: `conv-${this.counter}`, activityId });
    } else if (req.method === 'POST' && parts[3] === 'activities') {
      op = parts[4] ? 'reply' : 'send';
      activityId = `act-${++this.counter}`;
      this.json(res, 200, { id: activityId });
    } else if (req.method === 'PUT' && parts[3] === 'activities') {
      op = 'update';
      activityId = parts[4] ?? '';
      this.json(res, 200, { id: activityId });
    } else if (req.method === 'DELETE') {
      op = 'delete';
      activityId = parts[4] ?? '';
      this.json(res, 200, {});
    } else if (req.method === 'GET' && parts[3]?.toLowerCase().includes('members')) {
      this.json(res, 200, []);
    } else {
      this.json(res, 404, { error: { code: 'NotFound', message: req.url } });
    }
    this.count++;
    if (!op) return;
    const call: ConnectorCall = {
      op,
      conversationId,
      activityId,
      raw,
      type: activityType(raw),
      requestId: REQUEST_ID.exec(raw)?.[0],
      at: performance.now(),
    };
    this.onCall?.(call);
    const set = this.waiters.get(conversationId);
    if (!set) return;
    for (const w of set) {
      if (!w.match(call)) continue;
      clearTimeout(w.timer);
      this.forget(conversationId, w);
      w.resolve(call);
    }
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }
}

/**
 * The activity's own `type`. The Bot Framework serializer writes it first; anything else is
 * parsed properly (cards inside also have `type` keys, so a loose search would not do).
 * The fast path matters: a full parse of every card was a visible share of a flow's CPU.
 */
function activityType(raw: string): string {
  const first = /^\{"type":"([^"]*)"/.exec(raw);
  if (first) return first[1];
  try {
    return String((JSON.parse(raw) as { type?: unknown }).type ?? '');
  } catch {
    return '';
  }
}
