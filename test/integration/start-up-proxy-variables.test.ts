/**
 * The proxy variables at start (a spawned bot), read like every other setting (README
 * "Configuration"): a blank one is unset, so the bot starts, where it used to stop as "not a URL"
 * and the Azure SDK, which reads process.env itself, would have failed to build its first
 * pipeline on it; one in quotes is listed with the other settings' problems in their words,
 * never repeating the value (a proxy URL may hold a password), and without the telemetry
 * exporter's stack trace (which quoted the value whole).
 */
import { killAndWait, spawnBot } from '../helpers/bot-process';

test('blank proxy variables are unset: the bot starts', async () => {
  const bot = await spawnBot({
    PATH: process.env.PATH,
    ACRBOT_MODE: 'sandbox',
    ACRBOT_STORAGE: 'memory',
    PORT: '0',
    HTTPS_PROXY: ' ',
    https_proxy: '\n',
    NO_PROXY: ' ',
    // The exporter builds the process's first SDK pipeline, whose proxy policy reads HTTPS_PROXY
    // from process.env at once (nothing is exported: the bot is stopped as soon as it listens).
    APPLICATIONINSIGHTS_CONNECTION_STRING:
      'InstrumentationKey=0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0;IngestionEndpoint=https://127.0.0.1:9/',
  });
  await killAndWait(bot.child);
});

test('proxy variables in quotes are refused with the settings’ words, their values never repeated', async () => {
  const failure = await spawnBot({
    PATH: process.env.PATH,
    ACRBOT_MODE: 'sandbox',
    ACRBOT_STORAGE: 'memory',
    // Wrong too, so the list is seen to hold every problem.
    PORT: 'eighty',
    HTTPS_PROXY: '"http://proxyuser:s3cret@proxy.example:3128"',
    NO_PROXY: "'a.example,b.example'",
    // Telemetry stays off: its exporter would read the quoted proxy first, and fail on it.
    APPLICATIONINSIGHTS_CONNECTION_STRING:
      'InstrumentationKey=0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0;IngestionEndpoint=https://ingest.example/',
  }).then(
    () => {
      throw new Error('the bot started with quoted proxy variables');
    },
    (err: Error) => err.message,
  );
  expect(failure).toMatch(/^bot exited 2: acrbot cannot start; fix these settings:\n/);
  expect(failure).toContain('  - PORT must be a whole number from 0 to 65535\n');
  expect(failure).toContain('HTTPS_PROXY is in quotes, which would be part of its value: remove them');
  expect(failure).toContain('NO_PROXY is in quotes, which would be part of its value: remove them');
  expect(failure).not.toMatch(/proxyuser|s3cret|proxy\.example|a\.example|Invalid URL|\n\s+at /);
});
