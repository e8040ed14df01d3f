/**
 * Starts acrbot's sandbox and Microsoft 365 Agents Playground wired to it, both on loopback,
 * as two child processes whose pids this module owns; `stop()` ends exactly those pids.
 * Used by `npm run playground` (scripts/playground.ts) and by the e2e tests (test/e2e).
 *
 * Offline by construction: the Playground runs with `--disable-telemetry`,
 * `APPLICATION_INSIGHTS_NO_STATSBEAT=true`, `TEAMSAPPTESTER_BROWSER=none`, and the preload
 * scripts/playground/loopback-preload.js, which pins its listening socket to 127.0.0.1 and
 * refuses any outgoing connection that is not loopback.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, type WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

/** The repository root (this file lives in scripts/playground/). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');
/** The checked-in Playground config (tenant, users, chats, team and channels). */
export const PLAYGROUND_CONFIG = path.join(REPO_ROOT, 'playground', '.m365agentsplayground.yml');
const PLAYGROUND_CLI = path.join(REPO_ROOT, 'node_modules', '@microsoft', 'm365agentsplayground', 'cli.js');
const PRELOAD = path.join(__dirname, 'loopback-preload.js');
const RUN_TS = path.join(REPO_ROOT, 'scripts', 'run-ts.js');

/** Options for {@link startStack}. */
export interface StackOptions {
  /** Folder for logs (created); must be gitignored or temporary, e.g. `.playground/<run>`. */
  workDir: string;
  /** Extra environment for the bot (e.g. ACRBOT_APPROVERS); sandbox, memory storage and loopback are the defaults. */
  botEnv?: Record<string, string>;
  /** Playground port; a free one when omitted. */
  playgroundPort?: number;
  /** How long each process may take to become ready. */
  startTimeoutInMs?: number;
  /** Echo the children's output to this process's stderr as well as to the log files. */
  echo?: boolean;
  /**
   * Tests: ignore the developer's settings. The bot does not inherit ACRBOT_* / LOG_LEVEL from
   * this process and runs in `workDir`, so a `.env` in the repository is not read either; it
   * gets the sandbox defaults plus `botEnv`.
   */
  isolated?: boolean;
}

/** A running bot + Playground. */
export interface Stack {
  /** e.g. http://127.0.0.1:41234/api/messages */
  botEndpoint: string;
  /** e.g. http://127.0.0.1:56150 (the Playground's web UI and API). */
  playgroundUrl: string;
  playgroundPort: number;
  botPid: number;
  playgroundPid: number;
  logs: { bot: string; playground: string; playgroundInternal: string };
  /** Lines the offline guard printed (`[playground-offline] blocked …`); empty when nothing tried to leave the machine. */
  blockedConnections(): string[];
  /** Resolves with a description when either process exits on its own (not through stop()). */
  exited: Promise<string>;
  /** Stops both processes (SIGTERM, then SIGKILL after a grace period). Idempotent. */
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (the OS picks it; the tiny race is acceptable for local runs). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface Child {
  process: ChildProcess;
  output: string[];
  log: WriteStream;
}

function startChild(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; logFile: string; echo?: boolean; label: string },
): Child {
  const log = createWriteStream(options.logFile, { flags: 'w' });
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const onData = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    output.push(text);
    if (output.length > 2000) output.splice(0, output.length - 2000);
    log.write(text);
    if (options.echo) process.stderr.write(text.replace(/^(?=.)/gm, `[${options.label}] `));
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  return { process: child, output, log };
}

function waitForOutput(child: Child, pattern: RegExp, timeoutInMs: number, what: string): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const match = child.output.join('').match(pattern);
      if (match) {
        finish();
        resolve(match);
      }
    };
    const onExit = (code: number | null, signal: string | null) => {
      finish();
      reject(
        new Error(
          `${what} exited (code ${code}, signal ${signal}) before it was ready:\n${child.output.join('').slice(-3000)}`,
        ),
      );
    };
    const timer = setTimeout(() => {
      finish();
      reject(new Error(`${what} was not ready after ${timeoutInMs} ms:\n${child.output.join('').slice(-3000)}`));
    }, timeoutInMs);
    const finish = () => {
      clearTimeout(timer);
      child.process.stdout!.off('data', check);
      child.process.stderr!.off('data', check);
      child.process.off('exit', onExit);
    };
    child.process.stdout!.on('data', check);
    child.process.stderr!.on('data', check);
    child.process.once('exit', onExit);
    check();
  });
}

async function waitForHttp(url: string, timeoutInMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutInMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${what} (${url}) did not answer 200 within ${timeoutInMs} ms: ${last}`);
}

async function stopChild(child: Child | undefined, graceInMs = 5000): Promise<void> {
  if (!child) return;
  const proc = child.process;
  if (proc.exitCode === null && proc.signalCode === null && proc.pid) {
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    try {
      process.kill(proc.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
    const timer = setTimeout(() => {
      try {
        process.kill(proc.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, graceInMs);
    await exited;
    clearTimeout(timer);
  }
  await new Promise<void>((resolve) => child.log.end(resolve));
}

/** Children still running when this process exits are killed by pid (last resort; stop() is the normal path). */
const live = new Set<number>();
let exitHookInstalled = false;
function track(pid: number | undefined): void {
  if (!pid) return;
  live.add(pid);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const p of live) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  });
}

/** Environment without anything that could redirect loopback traffic through a proxy. */
function baseEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (/^(https?|all|no)_proxy$/i.test(key)) delete env[key];
  env.NO_PROXY = '127.0.0.1,localhost';
  return env;
}

/** Starts the sandbox bot, then the Playground pointed at it. Cleans up what it started if anything fails. */
export async function startStack(options: StackOptions): Promise<Stack> {
  const timeout = options.startTimeoutInMs ?? 60_000;
  mkdirSync(options.workDir, { recursive: true });
  if (!existsSync(PLAYGROUND_CLI))
    throw new Error(`Microsoft 365 Agents Playground is not installed (${PLAYGROUND_CLI}); run npm ci`);
  const logs = {
    bot: path.join(options.workDir, 'bot.log'),
    playground: path.join(options.workDir, 'playground.log'),
    playgroundInternal: path.join(options.workDir, 'm365agentsplayground.log'),
  };

  let bot: Child | undefined;
  let playground: Child | undefined;
  let stopping = false;
  const stop = async () => {
    stopping = true;
    await Promise.all([stopChild(playground), stopChild(bot)]);
    for (const c of [bot, playground]) if (c?.process.pid) live.delete(c.process.pid);
  };
  try {
    // 1. The bot, from source (run-ts compiles with swc), on a port the OS picks.
    const inherited = baseEnv();
    if (options.isolated)
      for (const key of Object.keys(inherited)) if (/^ACRBOT_|^LOG_LEVEL$|^Microsoft/.test(key)) delete inherited[key];
    bot = startChild(process.execPath, [RUN_TS, path.join(REPO_ROOT, 'src', 'index.ts')], {
      // The bot reads `.env` from its working directory.
      cwd: options.isolated ? options.workDir : REPO_ROOT,
      label: 'acrbot',
      logFile: logs.bot,
      echo: options.echo,
      env: {
        ...inherited,
        NODE_ENV: 'development',
        ACRBOT_MODE: 'sandbox',
        ACRBOT_STORAGE: 'memory',
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        ...options.botEnv,
      },
    });
    track(bot.process.pid);
    const [, botUrl] = await waitForOutput(
      bot,
      /acrbot listening on (http:\/\/127\.0\.0\.1:\d+)\/api\/messages/,
      timeout,
      'acrbot',
    );
    await waitForHttp(`${botUrl}/readyz`, timeout, 'acrbot /readyz');
    const botEndpoint = `${botUrl}/api/messages`;

    // 2. The Playground, on loopback, offline, with the checked-in config.
    const port = options.playgroundPort ?? (await freePort());
    playground = startChild(
      process.execPath,
      [
        '--require',
        PRELOAD,
        PLAYGROUND_CLI,
        '--app-endpoint',
        botEndpoint,
        '--channel-id',
        'msteams',
        '--port',
        String(port),
        '--service-url',
        `http://127.0.0.1:${port}/_connector`,
        '--disable-telemetry',
      ],
      {
        cwd: options.workDir,
        label: 'playground',
        logFile: logs.playground,
        echo: options.echo,
        env: {
          ...baseEnv(),
          APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
          TEAMSAPPTESTER_BROWSER: 'none',
          M365_AGENTS_PLAYGROUND_CONFIG_PATH: PLAYGROUND_CONFIG,
          M365_AGENTS_PLAYGROUND_LOGFILE: logs.playgroundInternal,
          TEAMSAPPTESTER_LOGFILE: logs.playgroundInternal,
        },
      },
    );
    track(playground.process.pid);
    const [, actualPort] = await waitForOutput(
      playground,
      /Listening on (\d+)/,
      timeout,
      'Microsoft 365 Agents Playground',
    );
    if (Number(actualPort) !== port)
      throw new Error(
        `the Playground took port ${actualPort} instead of ${port} (port in use?); its service URL would be wrong`,
      );
    const playgroundUrl = `http://127.0.0.1:${port}`;
    await waitForHttp(`${playgroundUrl}/_debug/ping`, timeout, 'Playground /_debug/ping');

    const pg = playground;
    const children = [
      ['acrbot', bot, logs.bot],
      ['Microsoft 365 Agents Playground', playground, logs.playground],
    ] as const;
    const exited = new Promise<string>((resolve) => {
      for (const [name, child, log] of children) {
        child.process.once('exit', (code, signal) => {
          if (!stopping) resolve(`${name} exited (code ${code}, signal ${signal}); see ${log}`);
        });
      }
    });
    return {
      exited,
      botEndpoint,
      playgroundUrl,
      playgroundPort: port,
      botPid: bot.process.pid!,
      playgroundPid: playground.process.pid!,
      logs,
      blockedConnections: () =>
        pg.output
          .join('')
          .split('\n')
          .filter((l) => l.includes('[playground-offline]')),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Reads a log file (for failure messages). */
export function tail(file: string, chars = 4000): string {
  try {
    return readFileSync(file, 'utf8').slice(-chars);
  } catch {
    return '';
  }
}
