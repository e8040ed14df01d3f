/**
 * Entry point: `npm start`. Loads `.env` if present, starts telemetry when configured (before
 * anything that uses http is loaded), validates config (listing every problem), starts the
 * bot, and stops gracefully on SIGTERM/SIGINT: no new turns, in-flight work finished, store
 * closed, telemetry flushed. SIGHUP reloads the approval policy while the bot runs and is ignored
 * (with a log line) while it starts or stops: it never ends the process.
 */
import type * as AppModule from './app';
import type * as NextStepsModule from './composition/next-steps';
import type * as SandboxStepModule from './composition/sandbox-step';
import type * as ConfigModule from './config/config';
import { loadDotEnvFile } from './config/dotenv-file';
import { readSettingValue } from './config/setting-value';
import { normaliseAzureIdentityEnvironment } from './integrations/http/azure-credential';
import { normaliseProxyEnvironment, readProxyEnvironment } from './integrations/http/outbound-proxy';
import { routeAzureSdkLogs } from './observability/azure-sdk-log';
import type * as LoggerModule from './observability/logger';
import { silenceRestifyHttpParserWarning } from './observability/quiet-deprecations';
import { startTelemetry } from './observability/telemetry';
import { telemetryConnectionStringProblem } from './observability/telemetry-connection-string';

async function main(): Promise<void> {
  // SIGHUP is taken for the whole life of the process, first thing: Node's default for it is to
  // exit at once, skipping the graceful stop (leases held, runs cut off), and an operator sends
  // it to reload the policy. What it does is set below as the process moves on; until the logger
  // exists nothing here yields to the event loop, so this first no-op never actually runs.
  let onSighup: () => void = () => undefined;
  process.on('SIGHUP', () => onSighup());
  silenceRestifyHttpParserWarning();
  loadDotEnv();
  // The proxy variables are read like the settings (blank is unset, quotes are refused;
  // outbound-proxy.ts), but the Azure SDK and axios read process.env themselves: they are given
  // the same values before anything reads them (telemetry's exporter builds the first pipeline).
  // Proxy variables config.ts will refuse keep telemetry off: its exporter would end the start
  // with a stack trace that repeats the value, credentials included.
  normaliseProxyEnvironment();
  // The same for the identity variables the Azure SDK's credentials read themselves (botbuilder's
  // managed identity included): the client id loadConfig checks is the one they sign in as.
  normaliseAzureIdentityEnvironment();
  const proxyUnusable = readProxyEnvironment().problems.length > 0;
  // A connection string the exporter cannot use is a configuration problem, listed with the
  // others below; handed to the distro it would end the start with a stack trace. Read like
  // acrbot's other settings (blank is unset, quotes are refused), before config.ts is loaded.
  const { value: connectionString, quotedProblem } = readSettingValue(
    'APPLICATIONINSIGHTS_CONNECTION_STRING',
    process.env.APPLICATIONINSIGHTS_CONNECTION_STRING,
  );
  const telemetryProblem = quotedProblem ?? telemetryConnectionStringProblem(connectionString);
  const telemetry = telemetryProblem || proxyUnusable ? undefined : startTelemetry(connectionString);
  // Required only now, after telemetry has hooked http, so restify and the SDK clients are instrumented.
  const { ConfigError, listenHostOf, loadConfig } = require('./config/config') as typeof ConfigModule;
  let config: ConfigModule.AppConfig | undefined;
  const problems = telemetryProblem ? [telemetryProblem] : [];
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.unshift(...err.problems);
  }
  if (!config || problems.length) {
    process.stderr.write(`${new ConfigError(problems).message}\n`);
    process.exit(2);
  }
  // Sandbox mode: the emulators' TLS material is read from its cache or generated in the thread
  // pool while the rest of the app loads (docs/performance.md, P5).
  if (config.mode === 'sandbox')
    (require('./composition/sandbox-step') as typeof SandboxStepModule).prepareSandboxEarly();
  const { createLogger } = require('./observability/logger') as typeof LoggerModule;
  const { startApp } = require('./app') as typeof AppModule;
  const log = createLogger({ level: config.logLevel });
  // The Azure SDK's own lines (the distro turns its warnings on) as log lines, not plain text.
  routeAzureSdkLogs(log);
  /** SIGHUP before the app runs or once its stop began: logged, and no reload (no running app to reload into). */
  const ignoreSighup = (phase: 'starting' | 'stopping') => () =>
    log.info(
      { signal: 'SIGHUP' },
      phase === 'starting'
        ? 'SIGHUP while acrbot is starting: ignored (once it is listening, SIGHUP reloads the approval policy)'
        : 'SIGHUP while acrbot is stopping: ignored',
    );
  onSighup = ignoreSighup('starting');
  /** Flushes telemetry and the log, then exits. */
  const exit = async (code: number): Promise<never> => {
    // Exporting the last spans may fail (ingestion unreachable); say so, then exit anyway.
    await telemetry?.shutdown().catch((err: unknown) => log.warn({ err }, 'telemetry flush at exit failed'));
    log.flush();
    process.exit(code);
  };
  exitOnCrash(log, exit);
  const starting = startApp(config, { logger: log, takeSighup: false });
  // Settings that start but are likely not meant (config.ts: an unknown ACRBOT_* name, a NO_PROXY
  // entry that never matches), once, naming settings only. After startApp's synchronous first
  // lines, so sandbox mode's warning stays the first line an operator sees.
  for (const warning of config.warnings ?? []) log.warn(`configuration: ${warning}`);
  // Signals are taken from here on, not once startApp returns: it listens, then resumes
  // interrupted runs, and a SIGTERM meanwhile (Node's default: die at once) would cut those
  // runs off with their leases held. A signal during start-up waits for it, then stops.
  // A second signal exits at once, for an operator who will not wait for in-flight work.
  // No time limit of our own: the orchestrator's grace period (then SIGKILL) bounds the
  // shutdown, and whatever is cut off is resumed by the next instance once its lease expires.
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    log.info({ signal }, 'stopping: finishing in-flight work');
    // A start-up that failed is reported and exited on below, not here.
    const app = await starting.catch(() => undefined);
    if (!app) return;
    let code = 0;
    try {
      await app.stop();
    } catch (err) {
      log.fatal({ err }, 'acrbot did not stop cleanly');
      code = 1;
    }
    await exit(code);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting without finishing in-flight work');
      log.flush();
      process.exit(1);
    }
    stopping = true;
    onSighup = ignoreSighup('stopping');
    void stop(signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  const app = await starting.catch(async (err: unknown) => {
    // Logged once, here, with the cause (a port in use, a store that cannot be reached), and
    // the log flushed before exiting (exit). The line goes to stdout, so App Service's console
    // log (Log Analytics: AppServiceConsoleLogs) has it, not Application Insights: telemetry
    // exports spans only, with no log bridge. startApp has stopped what it had started.
    log.fatal({ err }, `acrbot could not start: ${err instanceof Error ? err.message : String(err)}`);
    return exit(1);
  });
  // A stop that began during start-up keeps SIGHUP ignored.
  if (!stopping) onSighup = () => app.reloadPolicy();
  // The address it is bound to (every interface in azure mode), as a URL scripts can read.
  const host = listenHostOf(config);
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${app.port}`;
  log.info(
    { url, mode: config.mode, storage: config.storage.kind, telemetry: Boolean(telemetry) },
    `acrbot listening on ${url}/api/messages${config.mode === 'sandbox' ? ' (SANDBOX: emulated Azure)' : ''}`,
  );
  if (config.mode === 'sandbox')
    process.stderr.write((require('./composition/next-steps') as typeof NextStepsModule).nextStepsText(app.url));
}

/**
 * Loads `.env` from the working directory if there is one, filling what the environment leaves
 * unset or blank (dotenv.ts: a byte order mark, or a blank variable, would otherwise leave a
 * setting such as ACRBOT_MODE out and start the sandbox). One that cannot be read (a directory,
 * no permission) is a configuration problem like the others: listed, exit 2, no stack trace.
 */
function loadDotEnv(): void {
  const problem = loadDotEnvFile(process.env);
  if (!problem) return;
  const { ConfigError } = require('./config/config') as typeof ConfigModule;
  process.stderr.write(`${new ConfigError([problem]).message}\n`);
  process.exit(2);
}

/**
 * A crash (an exception nothing caught, a promise rejection nothing handled) is logged once by
 * the logger, so its line is redacted and carries the correlation id of the work it came from
 * when there is one, instead of Node's stack trace on stderr; then the process exits 1 as Node
 * would. A rejection still ends the process, as Node's default does: the state of the work that
 * dropped it is unknown, and a restart resumes interrupted runs from the store (G13).
 */
function exitOnCrash(log: LoggerModule.Logger, exit: (code: number) => Promise<never>): void {
  let crashing = false;
  /** Writes the crash's line, then exits. */
  const crash = (logLine: () => void) => {
    // A second crash while the first is being flushed: exit at once, it is logged.
    if (crashing) {
      logLine();
      log.flush();
      process.exit(1);
    }
    crashing = true;
    logLine();
    void exit(1);
  };
  // Both at fatal: the process exits after either, and an alert on fatal lines is an alert on crashes.
  process.on('uncaughtException', (err) => crash(() => log.fatal({ err }, 'uncaught exception; exiting')));
  process.on('unhandledRejection', (reason) =>
    crash(() => log.fatal({ err: reason }, 'unhandled promise rejection; exiting')),
  );
}

void main();
