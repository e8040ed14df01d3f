/**
 * Bots as child processes: spawn, wait for `/readyz`, read RSS, stop. Used for cold start,
 * memory and the HTTP latency/throughput comparisons, where both bots must run the same way.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { get } from 'node:http';
import { freePort } from '../../test/helpers/free-port';
import { compiled } from './compile';
import { BUILD_DIR, ROOT } from './paths';

/** Which bot. */
export type BotName = 'acrbot' | 'echo';

/** A started bot process. */
export interface BotProcess {
  name: BotName;
  child: ChildProcess;
  url: string;
  /** spawn() → first 200 from the readiness path, in ms. */
  readyMs: number;
  /** CPU time (user + system) the process had used when it was ready, in ms (10 ms resolution). */
  readyCpuMs: number;
  stop(): Promise<void>;
}

/**
 * The command line of each bot. Both are precompiled CommonJS run by plain `node` from the
 * same working directory (BUILD_DIR, so a developer's `.env` is not picked up by acrbot).
 */
function command(name: BotName, port: number): { args: string[]; env: Record<string, string> } {
  const base = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    PORT: String(port),
    NODE_ENV: 'development',
  };
  // BENCH_ACRBOT_ENTRY points at another build of acrbot (e.g. a patched copy of dist/) to A/B a change.
  const entry = process.env.BENCH_ACRBOT_ENTRY ?? `${ROOT}/dist/index.js`;
  // BENCH_ACRBOT_ENV (a JSON object) adds environment to acrbot's process, e.g. allocator settings to try.
  const extra = process.env.BENCH_ACRBOT_ENV
    ? (JSON.parse(process.env.BENCH_ACRBOT_ENV) as Record<string, string>)
    : {};
  if (name === 'acrbot')
    return { args: [entry], env: { ...base, ACRBOT_MODE: 'sandbox', ACRBOT_STORAGE: 'memory', ...extra } };
  return { args: [compiled('bench/echo-bot.ts')], env: base };
}

/** Spawns a bot (extra `env` overrides the defaults) and resolves once `/readyz` answers 200. */
export async function startBot(
  name: BotName,
  opts: {
    nodeArgs?: string[];
    env?: Record<string, string>;
    timeoutMs?: number;
    /** What "ready" means; default `/readyz` (azure mode uses `/healthz`: its /readyz needs Entra). */
    readyPath?: string;
    /** Working directory; default BUILD_DIR. */
    cwd?: string;
  } = {},
): Promise<BotProcess> {
  const port = await freePort();
  const { args, env: baseEnv } = command(name, port);
  const env = { ...baseEnv, ...opts.env };
  const url = `http://127.0.0.1:${port}`;
  const t0 = performance.now();
  // BENCH_ACRBOT_STDOUT=<file>: acrbot's stdout (its log, V8 traces) appended to a file, for investigations.
  const stdout =
    name === 'acrbot' && process.env.BENCH_ACRBOT_STDOUT ? openSync(process.env.BENCH_ACRBOT_STDOUT, 'a') : 'ignore';
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), ...args], {
    cwd: opts.cwd ?? BUILD_DIR,
    env,
    stdio: ['ignore', stdout, 'pipe'],
  });
  if (typeof stdout === 'number') closeSync(stdout);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    if (stderr.length < 4000) stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = t0 + (opts.timeoutMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`${name} exited with ${child.exitCode} before it was ready:\n${stderr}`);
    if (await probe(`${url}${opts.readyPath ?? '/readyz'}`)) break;
    if (performance.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} was not ready after ${opts.timeoutMs ?? 30_000} ms:\n${stderr}`);
    }
    // Poll often: the poll interval bounds the resolution of the cold-start figure.
    await new Promise((r) => setTimeout(r, 2));
  }
  const readyMs = performance.now() - t0;
  const readyCpuMs = cpuMs(child.pid!);
  return {
    name,
    child,
    url,
    readyMs,
    readyCpuMs,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** One probe on a fresh connection; false on any error. */
function probe(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = get(url, { agent: false, timeout: 1_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
  });
}

/** Resident set size of a process in MB (Linux /proc; what the kernel charges the process). */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1]);
  return kb / 1024;
}

/** CPU time (user + system) a process has used, in ms (Linux /proc; clock ticks of 10 ms). */
export function cpuMs(pid: number): number {
  return statCpuMs(`/proc/${pid}/stat`);
}

/**
 * CPU time (user + system) of a process's main thread alone, in ms. For Node that is the
 * JavaScript thread; the rest of {@link cpuMs} is V8's garbage-collector and compiler threads
 * and libuv's pool (a process's total keeps the time of threads that have exited).
 */
export function mainThreadCpuMs(pid: number): number {
  return statCpuMs(`/proc/${pid}/task/${pid}/stat`);
}

function statCpuMs(path: string): number {
  const stat = readFileSync(path, 'utf8');
  // Fields after the command name (which may contain spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
