/**
 * Child-process script for test/integration/azure-mode-modules.test.ts: starts acrbot with the
 * environment it was given (as `src/index.ts` would: loadConfig, then startApp), prints every
 * module file loaded by then as one JSON line, and stops.
 */
import { startApp } from '../../src/app';
import { loadConfig } from '../../src/config/config';
import { createLogger } from '../../src/observability/logger';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const app = await startApp(config, { logger: createLogger({ level: 'silent' }), sweepIntervalMs: 0 });
  process.stdout.write(`${JSON.stringify({ modules: Object.keys(require.cache) })}\n`);
  await app.stop();
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
