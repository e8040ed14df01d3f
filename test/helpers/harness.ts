/**
 * Integration harness: the real app (restify + CloudAdapter + bot) in sandbox mode over
 * HTTP, the sandbox emulators over HTTPS with the real SDK clients, and a capturing Bot
 * Connector for replies.
 */
import { join } from 'node:path';
import { startApp, type AppOptions, type RunningApp } from '../../src/app';
import { loadConfig } from '../../src/config/config';
import type { AccessRequest } from '../../src/domain/request';
import { SANDBOX_USERS } from '../../src/sandbox/fixtures';
import { prepareSandboxTls, sandboxTlsHosts } from '../../src/sandbox/tls';
import { LogCapture } from './log-capture';
import { CapturingConnector, cardText, type CapturedCall } from './capturing-connector';
import { cardAction, channelMessage, personalMessage, postActivity, type TeamsUser } from './teams-activities';
import { TEST_AUDIT_KEY, testWorkDir } from './test-work-dir';

/** A running bot with its connector. */
export interface Harness {
  app: RunningApp;
  connector: CapturingConnector;
  logs: LogCapture;
  serviceUrl: string;
  say(user: TeamsUser, text: string, where?: 'channel' | 'personal'): Promise<{ status: number; body: any }>;
  /** Says `text` in the channel and returns the text of the bot's next card (not an update). */
  ask(user: TeamsUser, text: string): Promise<string>;
  /**
   * Says `text` (in the channel, or in a 1:1 chat) and returns the texts of everything the bot
   * sent during that turn, one per line: a turn's replies are sent before its HTTP answer.
   */
  turnReplies(user: TeamsUser, text: string, where?: 'channel' | 'personal'): Promise<string>;
  click(
    user: TeamsUser,
    verb: string,
    data: Record<string, unknown>,
    replyToId?: string,
  ): Promise<{ status: number; body: any }>;
  /** Requests a grant in the channel and returns the created request (from the store). */
  requestGrant(user: TeamsUser, args: string): Promise<AccessRequest>;
  /** Requests a pull secret in the channel and returns the created request (from the store). */
  requestSecret(user: TeamsUser, args: string): Promise<AccessRequest>;
  /** Waits until the request reaches a final state. */
  settle(requestId: string): Promise<AccessRequest>;
  stop(): Promise<void>;
}

/** The sandbox people. */
export const users = {
  requester: SANDBOX_USERS.requester as TeamsUser,
  approver: SANDBOX_USERS.approver as TeamsUser,
  outsider: SANDBOX_USERS.outsider as TeamsUser,
};

/**
 * Starts a harness; `env` adds config variables (sandbox mode, memory storage by default). Nothing
 * is written into the repository's `.data/` (test-work-dir.ts): a persistent store gets
 * {@link TEST_AUDIT_KEY} unless `env` names a key, and the emulators' TLS material comes from a
 * cache under the OS temporary directory.
 */
export async function startHarness(
  env: Record<string, string> = {},
  options: AppOptions = {},
  shared?: { connector: CapturingConnector },
): Promise<Harness> {
  const connector = shared?.connector ?? new CapturingConnector();
  const serviceUrl = shared ? connector.url : await connector.start();
  const logs = new LogCapture();
  const vars: Record<string, string> = {
    ACRBOT_MODE: 'sandbox',
    PORT: '0',
    ACRBOT_STORAGE: 'memory',
    LOG_LEVEL: 'debug',
    ...env,
  };
  if (vars.ACRBOT_MODE === 'sandbox' && vars.ACRBOT_STORAGE !== 'memory' && vars.ACRBOT_AUDIT_KEY === undefined)
    vars.ACRBOT_AUDIT_KEY = TEST_AUDIT_KEY;
  // The app's sandbox takes this process's memoised material and never looks at `.data/`.
  await prepareSandboxTls(sandboxTlsHosts(), { cacheDir: join(testWorkDir(), '.data') });
  const config = loadConfig(vars);
  const app = await startApp(config, {
    logger: logs.logger(),
    principalRetryDelaysMs: [5, 5, 5, 5, 5],
    sweepIntervalMs: 0,
    ...options,
  });
  // Azure's times on role assignments (`createdOn`) in the bot's time, as its records are: the
  // orphan watch compares the two (G15).
  if (options.clock && app.sandbox) app.sandbox.arm.state.clock = options.clock;
  const o = { serviceUrl };
  let stopped = false;
  /** Sends `text` and reads the request id from the card answering it (naming a request and matching `plan`). */
  async function requestFromPlanCard(user: TeamsUser, text: string, plan: RegExp[]): Promise<AccessRequest> {
    const before = connector.calls.length;
    const res = await harness.say(user, text);
    if (res.status !== 200) throw new Error(`bot answered ${res.status}`);
    const reply = await connector.waitFor(
      (c) =>
        connector.calls.indexOf(c) >= before &&
        c.op !== 'update' &&
        [/R-[2-9A-Z]{8}/, ...plan].every((p) => p.test(cardText(c.activity))),
      10_000,
      'a plan card',
    );
    const id = /R-[2-9A-HJKMNP-TV-Z]{8}/.exec(cardText(reply.activity))![0];
    const request = await app.store.get(id);
    if (!request) throw new Error(`request ${id} not stored`);
    return request;
  }
  const harness: Harness = {
    app,
    connector,
    logs,
    serviceUrl,
    say: (user, text, where = 'channel') =>
      postActivity(app.url, where === 'channel' ? channelMessage(user, text, o) : personalMessage(user, text, o)),
    async ask(user, text) {
      const before = connector.calls.length;
      const res = await harness.say(user, text);
      expect(res.status).toBe(200);
      const reply = await connector.waitFor(
        (c) => connector.calls.indexOf(c) >= before && c.op !== 'update' && cardText(c.activity) !== '',
        10_000,
        `an answer to "${text}"`,
      );
      return cardText(reply.activity);
    },
    async turnReplies(user, text, where = 'channel') {
      const before = connector.calls.length;
      expect((await harness.say(user, text, where)).status).toBe(200);
      return connector.calls
        .slice(before)
        .map((c) => cardText(c.activity))
        .join('\n');
    },
    click: (user, verb, data, replyToId) => postActivity(app.url, cardAction(user, verb, data, { ...o, replyToId })),
    requestGrant: (user, args) => requestFromPlanCard(user, `grant ${args}`, []),
    requestSecret: (user, args) => requestFromPlanCard(user, `secret ${args}`, [/Pull secret .* in /]),
    async settle(requestId) {
      const deadline = Date.now() + 15_000;
      for (;;) {
        await app.services.executor.drain();
        const r = await app.store.get(requestId);
        if (r && ['succeeded', 'failed', 'rejected', 'expired'].includes(r.state)) return r;
        if (Date.now() > deadline) throw new Error(`request ${requestId} did not settle: ${r?.state}`);
        await new Promise((res) => setTimeout(res, 10));
      }
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await app.stop();
      if (!shared) await connector.stop();
    },
  };
  return harness;
}

/** Calls whose card text matches. */
export function callsWithText(connector: CapturingConnector, pattern: RegExp): CapturedCall[] {
  return connector.calls.filter((c) => pattern.test(cardText(c.activity)));
}
