/**
 * Runs acrbot in-process (the real restify server, CloudAdapter, bot, SDK clients and the
 * sandbox emulators over HTTPS) and drives grant flows through `/api/messages`, the way Teams
 * would: a channel post, then an approver's Action.Execute click.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { startApp, type RunningApp } from '../../src/app';
import { loadConfig } from '../../src/config/config';
import { createLogger } from '../../src/observability/logger';
import type { Sandbox } from '../../src/sandbox/sandbox';
import { cardAction, channelMessage, postActivity, USERS } from './activities';
import { BenchConnector, type ConnectorCall } from './connector';
import { BUILD_DIR } from './paths';

/** How to start the bot. */
export interface DriverOptions {
  /** Extra configuration variables (sandbox mode, warn logging and memory storage by default). */
  env?: Record<string, string>;
  /** Use this sandbox instead of the app's own (lets a benchmark switch request logs off or add resources). */
  sandbox?: Sandbox;
  /** Share a connector between bots. */
  connector?: BenchConnector;
}

/** The answer to a grant command. */
export interface RequestResult {
  kind: 'planned' | 'alreadyExists' | 'other';
  requestId?: string;
  conversationId: string;
  /** POST start → plan card at the connector. */
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

const isMessage = (c: ConnectorCall) => c.op !== 'update' && c.op !== 'delete' && c.type === 'message';

/** A running acrbot with a connector, and the two user actions of a flow. */
export class AcrbotDriver {
  private constructor(readonly app: RunningApp, readonly connector: BenchConnector, private readonly ownConnector: boolean) {}

  /** Starts the bot (and a connector unless one is given). */
  static async start(options: DriverOptions = {}): Promise<AcrbotDriver> {
    const connector = options.connector ?? new BenchConnector();
    if (!options.connector) await connector.start();
    const config = loadConfig({ ACRBOT_MODE: 'sandbox', PORT: '0', ACRBOT_STORAGE: 'memory', LOG_LEVEL: 'warn', ...options.env });
    // Warnings and errors go to a file: the table stays readable and failures stay debuggable.
    mkdirSync(BUILD_DIR, { recursive: true });
    const logger = createLogger({ level: config.logLevel, destination: pino.destination({ dest: join(BUILD_DIR, `acrbot-${process.pid}.log`), sync: false, mkdir: true }) });
    const app = await startApp(config, { logger, sweepIntervalMs: 0, ...(options.sandbox ? { sandbox: options.sandbox } : {}) });
    return new AcrbotDriver(app, connector, !options.connector);
  }

  get sandbox(): Sandbox {
    return this.app.sandbox!;
  }

  /** `@acrbot grant <args>` as the requester in a new channel thread; resolves at the plan card. */
  request(args: string, timeoutMs = 15_000): Promise<RequestResult> {
    return this.say(`grant ${args}`, timeoutMs);
  }

  /** Any command as the requester in a new channel thread; resolves at the first card (and the turn's end). */
  async say(text: string, timeoutMs = 15_000): Promise<RequestResult> {
    const { activity, conversationId } = channelMessage(USERS.requester, text, this.connector.url);
    const reply = this.connector.waitFor(conversationId, isMessage, timeoutMs, `the answer to "${text.slice(0, 60)}"`);
    const t0 = performance.now();
    const res = await postActivity(this.app.url, activity);
    const turnMs = performance.now() - t0;
    if (res.status !== 200) {
      reply.catch(() => undefined);
      throw new Error(`the turn answered HTTP ${res.status}: ${res.body.slice(0, 200)}`);
    }
    const card = await reply;
    const planMs = card.at - t0;
    if (card.requestId) return { kind: 'planned', requestId: card.requestId, conversationId, planMs, turnMs, raw: card.raw };
    return { kind: /Access already exists/.test(card.raw) ? 'alreadyExists' : 'other', conversationId, planMs, turnMs, raw: card.raw };
  }

  /** The approver clicks Approve; resolves at the outcome card in the requester's thread. */
  async approve(requestId: string, conversationId: string, timeoutMs = 15_000): Promise<ApproveResult> {
    const outcome = this.connector.waitFor(conversationId, (c) => isMessage(c) && OUTCOME.test(c.raw), timeoutMs, `the outcome card of ${requestId}`);
    const t0 = performance.now();
    const res = await postActivity(this.app.url, cardAction(USERS.approver, 'approve', { requestId }, this.connector.url));
    const invokeMs = performance.now() - t0;
    if (res.status !== 200 || !res.body.includes('Executing')) {
      outcome.catch(() => undefined);
      throw new Error(`approve of ${requestId} answered HTTP ${res.status}: ${res.body.slice(0, 300)}`);
    }
    const card = await outcome;
    return { invokeMs, outcomeMs: card.at - t0, granted: /Pull access granted|Pull secret created/.test(card.raw), raw: card.raw };
  }

  /** Request and approve; throws unless the grant succeeded. */
  async grantFlow(args: string): Promise<{ request: RequestResult; approve: ApproveResult }> {
    const request = await this.request(args);
    if (request.kind !== 'planned') throw new Error(`expected a plan card for "${args}", got: ${summary(request.raw)}`);
    const approve = await this.approve(request.requestId!, request.conversationId);
    if (!approve.granted) throw new Error(`grant ${request.requestId} did not succeed: ${summary(approve.raw)}`);
    return { request, approve };
  }

  /** Waits for background executions (outcome cards are sent before the executor lets go). */
  async drain(): Promise<void> {
    await this.app.services.executor.drain();
  }

  async stop(): Promise<void> {
    await this.app.stop();
    if (this.ownConnector) await this.connector.stop();
  }
}

/** The visible text of a card, shortened, for error messages. */
export function summary(raw: string): string {
  const texts = [...raw.matchAll(/"(?:text|title)":"([^"]{3,})"/g)].map((m) => m[1]);
  return (texts.join(' | ') || raw).slice(0, 300);
}
