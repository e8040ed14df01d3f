/**
 * A capturing Bot Connector: the Bot Framework REST endpoints the bot calls on `serviceUrl`
 * (CONTRACTS §6), recording every outgoing activity so tests can assert on what users see.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SANDBOX_USERS } from '../../src/sandbox/fixtures';

/**
 * The shortest wait of {@link CapturingConnector.waitFor} (a longer one asked for is kept): well
 * under Jest's 30 s test timeout, so a missing message fails with what was seen instead.
 */
export const WAIT_FOR_MIN_MS = 20_000;

/** One call the bot made. */
export interface CapturedCall {
  op: 'send' | 'reply' | 'update' | 'delete' | 'createConversation';
  conversationId: string;
  activityId: string;
  activity: Record<string, any>;
}

/** The connector. */
export class CapturingConnector {
  readonly calls: CapturedCall[] = [];
  /** Ids asked for with `GET …/members/{id}` (per-user card views look up Teams ids). */
  readonly memberLookups: string[] = [];
  /** Entra object ids the members API answers 404 for (a person Teams cannot name there). */
  readonly unknownMembers = new Set<string>();
  /** Entra object ids not in some conversations (conversation id prefix → ids): 404 there, found elsewhere. */
  readonly absentFrom = new Map<string, Set<string>>();
  /**
   * Conversations (id prefix) that refuse new activities and updates with a 403, as Teams does
   * when the bot was removed from a channel (BotNotInConversationRoster). Nothing is recorded.
   */
  readonly refusing = new Set<string>();
  /** Conversations (id prefix) whose new activities and updates fail with a 500 (a failure of the moment). */
  readonly failing = new Set<string>();
  /**
   * Conversations (id prefix) whose new activities and updates are throttled: 429 asking a wait
   * longer than acrbot waits out (Retry-After 30 s), so the call fails at once. Nothing is recorded.
   */
  readonly throttling = new Set<string>();
  /** Typing indicators answered 502 (a channel's front end throttling or failing), the rest as usual. */
  failTyping = false;
  /** Conversations (id prefix) whose posts wait for their release (a slow or throttling Teams). */
  private readonly held = new Map<string, Promise<void>>();
  private server?: Server;
  private counter = 0;
  private waiters: Array<() => void> = [];
  url = '';

  /** Holds new posts and updates in conversations starting with `prefix` until the returned function is called. */
  hold(prefix: string): () => void {
    let release!: () => void;
    this.held.set(prefix, new Promise<void>((resolve) => (release = resolve)));
    return () => {
      this.held.delete(prefix);
      release();
    };
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
    const parts = (req.url ?? '').split('?')[0].split('/').filter(Boolean).map(decodeURIComponent);
    // v3 / conversations / {id} / activities / {activityId}
    let call: CapturedCall | undefined;
    if (req.method === 'POST' && parts.length === 2) {
      // A new post in a channel starts a conversation there.
      const channel = String(body?.channelData?.channel?.id ?? '');
      for (const [prefix, until] of this.held) if (channel.startsWith(prefix)) await until;
      call = {
        op: 'createConversation',
        conversationId: `conv-${++this.counter}`,
        activityId: `act-${this.counter}`,
        activity: body,
      };
      this.record(call);
      return this.json(res, 200, { id: call.conversationId, activityId: call.activityId });
    }
    const conversationId = parts[2] ?? '';
    if ((req.method === 'POST' || req.method === 'PUT') && parts[3] === 'activities')
      for (const [prefix, until] of this.held) if (conversationId.startsWith(prefix)) await until;
    if (
      (req.method === 'POST' || req.method === 'PUT') &&
      parts[3] === 'activities' &&
      [...this.refusing].some((prefix) => conversationId.startsWith(prefix))
    )
      return this.json(res, 403, {
        error: { code: 'BotNotInConversationRoster', message: 'The bot is not part of the conversation roster.' },
      });
    if (
      (req.method === 'POST' || req.method === 'PUT') &&
      parts[3] === 'activities' &&
      [...this.failing].some((prefix) => conversationId.startsWith(prefix))
    )
      return this.json(res, 500, { error: { code: 'ServiceError', message: 'The service failed.' } });
    if (
      (req.method === 'POST' || req.method === 'PUT') &&
      parts[3] === 'activities' &&
      [...this.throttling].some((prefix) => conversationId.startsWith(prefix))
    ) {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '30' });
      return void res.end(JSON.stringify({ error: { code: 'TooManyRequests', message: 'Too many requests.' } }));
    }
    if (req.method === 'POST' && parts[3] === 'activities' && this.failTyping && body?.type === 'typing')
      return this.json(res, 502, { error: { code: 'BadGateway', message: 'The typing indicator failed.' } });
    if (req.method === 'POST' && parts[3] === 'activities') {
      call = { op: parts[4] ? 'reply' : 'send', conversationId, activityId: `act-${++this.counter}`, activity: body };
    } else if (req.method === 'PUT' && parts[3] === 'activities') {
      call = { op: 'update', conversationId, activityId: parts[4], activity: body };
    } else if (req.method === 'DELETE') {
      call = { op: 'delete', conversationId, activityId: parts[4], activity: {} };
    } else if (req.method === 'GET' && parts[3]?.toLowerCase().includes('members')) {
      // One member by Entra object id or Teams id (TeamsInfo.getMember), as Teams answers it;
      // 404 MemberNotFoundInConversation for anyone else. Without an id: the (empty) roster.
      if (!parts[4]) return this.json(res, 200, []);
      const key = parts[4].toLowerCase();
      const user = Object.values(SANDBOX_USERS).find((u) => u.objectId === key || u.teamsId === parts[4]);
      this.memberLookups.push(parts[4]);
      if (
        !user ||
        this.unknownMembers.has(user.objectId) ||
        [...this.absentFrom].some(([prefix, ids]) => conversationId.startsWith(prefix) && ids.has(user.objectId))
      )
        return this.json(res, 404, {
          error: { code: 'MemberNotFoundInConversation', message: 'The member was not found in the conversation.' },
        });
      return this.json(res, 200, { id: user.teamsId, name: user.name, aadObjectId: user.objectId });
    }
    if (!call) return this.json(res, 404, { error: { code: 'NotFound', message: req.url } });
    this.record(call);
    this.json(res, 200, { id: call.activityId });
  }

  private record(call: CapturedCall): void {
    this.calls.push(call);
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  /** Messages with content (typing indicators left out). */
  messages(): CapturedCall[] {
    return this.calls.filter((c) => c.activity.type !== 'typing');
  }

  /**
   * Waits until some call matches, or fails after `timeoutMs` — never sooner than
   * {@link WAIT_FOR_MIN_MS}: the limit is there to turn a hang into a readable failure (what was
   * seen instead), not to say how fast the bot must be, and a busy machine is slow.
   */
  async waitFor(
    predicate: (call: CapturedCall) => boolean,
    timeoutMs = WAIT_FOR_MIN_MS,
    what = 'a matching bot message',
  ): Promise<CapturedCall> {
    const deadline = Date.now() + Math.max(timeoutMs, WAIT_FOR_MIN_MS);
    for (;;) {
      const found = this.calls.find(predicate);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `timed out waiting for ${what}; saw: ${this.calls.map((c) => `${c.op}:${cardText(c.activity).slice(0, 80)}`).join(' | ')}`,
        );
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  clear(): void {
    this.calls.length = 0;
  }
}

/**
 * Every text on a card, each as it is drawn: each `text` (TextBlock, TextRun) and each fact
 * `value`, as its own string, in card order (a node's text before its value, both before its
 * children's). Titles are left out, so a label never reads as the line it labels.
 */
export function cardTexts(card: unknown): string[] {
  if (Array.isArray(card)) return card.flatMap(cardTexts);
  if (card === null || typeof card !== 'object') return [];
  const own = ['text', 'value']
    .map((key) => (card as Record<string, unknown>)[key])
    .filter((v): v is string => typeof v === 'string');
  return [...own, ...Object.values(card).flatMap(cardTexts)];
}

/** All text in an activity: its text plus every TextBlock/FactSet value in its cards. */
export function cardText(activity: Record<string, any>): string {
  const out: string[] = [];
  if (activity.text) out.push(String(activity.text));
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node && typeof node === 'object') {
      const n = node as Record<string, unknown>;
      if (typeof n.text === 'string') out.push(n.text);
      if (typeof n.title === 'string') out.push(n.title);
      if (typeof n.value === 'string') out.push(n.value);
      if (typeof n.codeSnippet === 'string') out.push(n.codeSnippet);
      Object.values(n).forEach(walk);
    }
  };
  walk(activity.attachments?.map((a: { content: unknown }) => a.content));
  return out.join('\n');
}
