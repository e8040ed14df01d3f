/**
 * Runs acrbot in-process (the real restify server, CloudAdapter, bot, SDK clients and the
 * sandbox emulators over HTTPS) with a capturing connector, and drives it with a
 * {@link FlowClient}.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { startApp, type RunningApp } from '../../src/app';
import { loadConfig } from '../../src/config/config';
import { createLogger } from '../../src/observability/logger';
import type { Sandbox } from '../../src/sandbox/sandbox';
import { BenchConnector } from './connector';
import { FlowClient } from './flow-client';
import { BUILD_DIR, BENCH_LIMITS_ENV } from './paths';

export { summary } from './flow-client';

/** How to start the bot. */
export interface DriverOptions {
  /** Extra configuration variables (sandbox mode, warn logging and memory storage by default). */
  env?: Record<string, string>;
  /** Use this sandbox instead of the app's own (to switch request logs off or add resources). */
  sandbox?: Sandbox;
}

/** A running in-process acrbot, its connector, and the user actions of a flow. */
export class AcrbotDriver extends FlowClient {
  private constructor(
    readonly app: RunningApp,
    connector: BenchConnector,
  ) {
    super(app.url, connector);
  }

  /** Starts a connector and the bot. */
  static async start(options: DriverOptions = {}): Promise<AcrbotDriver> {
    const connector = new BenchConnector();
    await connector.start();
    const config = loadConfig({
      ACRBOT_MODE: 'sandbox',
      PORT: '0',
      ACRBOT_STORAGE: 'memory',
      LOG_LEVEL: 'warn',
      ...BENCH_LIMITS_ENV,
      ...options.env,
    });
    // Warnings and errors go to a file: the table stays readable and failures stay debuggable.
    mkdirSync(BUILD_DIR, { recursive: true });
    const logger = createLogger({
      level: config.logLevel,
      destination: pino.destination({ dest: join(BUILD_DIR, `acrbot-${process.pid}.log`), sync: false, mkdir: true }),
    });
    const app = await startApp(config, {
      logger,
      sweepIntervalMs: 0,
      ...(options.sandbox ? { sandbox: options.sandbox } : {}),
    });
    return new AcrbotDriver(app, connector);
  }

  get sandbox(): Sandbox {
    return this.app.sandbox!;
  }

  /** Waits for background executions (the outcome card is sent just before the executor lets go). */
  async drain(): Promise<void> {
    await this.app.services.executor.drain();
  }

  async stop(): Promise<void> {
    await this.app.stop();
    await this.connector.stop();
  }
}
