/**
 * Entry point: `npm start`. Loads `.env` if present, validates config (listing every
 * problem), starts the bot, and stops gracefully on SIGTERM/SIGINT.
 */
import { existsSync } from 'node:fs';
import { startApp } from './app';
import { ConfigError, loadConfig } from './config/config';
import { createLogger } from './observability/logger';

async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger({ level: config.logLevel });
  const app = await startApp(config, { logger: log });
  log.info({ url: app.url, mode: config.mode, storage: config.storage.kind }, `acrbot listening on ${app.url}/api/messages${config.mode === 'sandbox' ? ' (SANDBOX: emulated Azure)' : ''}`);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping: finishing in-flight work');
    await app.stop();
    log.flush();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

void main();
