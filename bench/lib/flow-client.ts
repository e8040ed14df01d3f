/**
 * Drives a running acrbot (in this process or another) through `/api/messages` the way Teams
 * would: a channel post as the requester, then the approver's Action.Execute click; cards
 * come back through the {@link BenchConnector}.
 */
import { cardAction, channelMessage, postActivity, type TeamsUser, USERS } from './activities';
import type { BenchConnector, ConnectorCall } from './connector';

/** The answer to a command. */
export interface RequestResult {
  kind: 'planned' | 'alreadyExists' | 'other';
  requestId?: string;
  conversationId: string;
  /** POST start → first card at the connector (the plan card for a grant). */
  planMs: number;
  /** POST start → HTTP response (the turn, including the approval card post). */
  turnMs: number;
  /** Card JSON, for error reports. */
  raw: string;
}

/** The approve click and its outcome. */
export interface ApproveResult {
  /** POST start → invoke response (the "Executing…" card). */
  invokeMs: number;
  /** POST start → outcome card at the connector. */
  outcomeMs: number;
  granted: boolean;
  raw: string;
}

const OUTCOME = /Pull access granted|Pull secret created|The request failed|Access was already in place/;
const GRANTED = /Pull access granted|Pull secret created/;

const isMessage = (c: ConnectorCall) => c.op !== 'update' && c.op !== 'delete' && c.type === 'message';

/** The visible text of a card, shortened, for error messages. */
export function summary(raw: string): string {
  const texts = [...raw.matchAll(/"(?:text|title)":"([^"]{3,})"/g)].map((m) => m[1]);
  return (texts.join(' | ') || raw).slice(0, 300);
}

/** Requester and approver actions against one bot. */
export class FlowClient {
  constructor(
    readonly botUrl: string,
    readonly connector: BenchConnector,
    /** Who posts the requests (the sandbox requester unless a run spreads its flows over several users). */
    readonly requester: TeamsUser = USERS.requester,
  ) {}

  /** `@acrbot grant <args>`; resolves at the plan card. */
  request(args: string, timeoutMs = 15_000): Promise<RequestResult> {
    return this.say(`grant ${args}`, timeoutMs);
  }

  /** Any command as the requester in a new channel thread; resolves at the first card and the turn's end. */
  async say(text: string, timeoutMs = 15_000): Promise<RequestResult> {
    const { activity, conversationId } = channelMessage(this.requester, text, this.connector.url);
    // Registered before the POST: the card arrives while the turn is still running.
    const reply = this.connector.waitFor(conversationId, isMessage, timeoutMs, `the answer to "${text.slice(0, 60)}"`);
    // Marked handled at once: on a busy machine it can time out while the POST is still pending
    // (an unhandled rejection would end the whole benchmark); `await reply` below still throws.
    reply.catch(() => undefined);
    const t0 = performance.now();
    const res = await postActivity(this.botUrl, activity).catch((err: unknown) => {
      reply.catch(() => undefined); // nobody will wait for it now
      throw err;
    });
    const turnMs = performance.now() - t0;
    if (res.status !== 200) {
      reply.catch(() => undefined);
      throw new Error(`the turn answered HTTP ${res.status}: ${res.body.slice(0, 200)}`);
    }
    const card = await reply;
    const planMs = card.at - t0;
    // First: the "Access already exists" card names the request that gave the access (extend it).
    if (/Access already exists/.test(card.raw))
      return { kind: 'alreadyExists', requestId: card.requestId, conversationId, planMs, turnMs, raw: card.raw };
    if (card.requestId)
      return { kind: 'planned', requestId: card.requestId, conversationId, planMs, turnMs, raw: card.raw };
    return {
      kind: 'other',
      conversationId,
      planMs,
      turnMs,
      raw: card.raw,
    };
  }

  /** The approver clicks Approve; resolves at the outcome card in the requester's thread. */
  async approve(requestId: string, conversationId: string, timeoutMs = 15_000): Promise<ApproveResult> {
    const outcome = this.connector.waitFor(
      conversationId,
      (c) => isMessage(c) && OUTCOME.test(c.raw),
      timeoutMs,
      `the outcome card of ${requestId}`,
    );
    outcome.catch(() => undefined); // as in say()
    const t0 = performance.now();
    const res = await postActivity(
      this.botUrl,
      cardAction(USERS.approver, 'approve', { requestId }, this.connector.url),
    ).catch((err: unknown) => {
      outcome.catch(() => undefined);
      throw err;
    });
    const invokeMs = performance.now() - t0;
    if (res.status !== 200 || !res.body.includes('Executing')) {
      outcome.catch(() => undefined);
      throw new Error(`approve of ${requestId} answered HTTP ${res.status}: ${res.body.slice(0, 300)}`);
    }
    const card = await outcome;
    return { invokeMs, outcomeMs: card.at - t0, granted: GRANTED.test(card.raw), raw: card.raw };
  }

  /** Request and approve; throws unless the grant succeeded. */
  async grantFlow(args: string): Promise<{ request: RequestResult; approve: ApproveResult }> {
    const request = await this.request(args);
    if (request.kind !== 'planned') throw new Error(`expected a plan card for "${args}", got: ${summary(request.raw)}`);
    const approve = await this.approve(request.requestId!, request.conversationId);
    if (!approve.granted) throw new Error(`grant ${request.requestId} did not succeed: ${summary(approve.raw)}`);
    return { request, approve };
  }
}
