/**
 * P2 throughput: concurrent `help` turns (autocannon, keep-alive connections) against each bot
 * as a precompiled child process; completed turns per second, acrbot ÷ echo.
 *
 * Short windows alternate between the bots (acrbot, echo, echo, acrbot, …) and each pair gives
 * one ratio, so the machine's changing background load hits both sides of every ratio.
 */
import { personalMessage, USERS } from '../lib/activities';
import { cpuMs, startBot } from '../lib/child';
import { BenchConnector } from '../lib/connector';
import { load, type LoadResult } from '../lib/load';
import { fmt, type Metric } from '../lib/report-types';
import { repeated, round } from '../lib/stats';

export const p2Throughput: Metric = async (ctx) => {
  const pairs = ctx.quick ? 1 : 4;
  const seconds = ctx.quick ? 2 : 4;
  const connections = 16;
  const connector = new BenchConnector();
  const serviceUrl = await connector.start();
  const bots = { acrbot: await startBot('acrbot'), echo: await startBot('echo') };
  // One fixed activity: the bots do not de-duplicate activity ids, and a 1:1 chat keeps
  // acrbot's conversation state at one entry however many turns run.
  const body = JSON.stringify(personalMessage(USERS.requester, 'help', serviceUrl));
  const rates = { acrbot: [] as number[], echo: [] as number[] };
  const ratios: number[] = [];
  // CPU per turn of each bot in each window (/proc user + system): far less sensitive to a
  // shared machine's load than turns/s, which waits for a core.
  const cpuPerTurn = { acrbot: [] as number[], echo: [] as number[] };
  const cpuRatios: number[] = [];
  let failed = 0;
  try {
    for (const bot of Object.values(bots)) await load(`${bot.url}/api/messages`, body, connections, 2); // warm-up
    for (let p = 0; p < pairs; p++) {
      const order = p % 2 === 0 ? (['acrbot', 'echo'] as const) : (['echo', 'acrbot'] as const);
      const got: Partial<Record<'acrbot' | 'echo', LoadResult>> = {};
      const cpu: Partial<Record<'acrbot' | 'echo', number>> = {};
      for (const name of order) {
        const before = cpuMs(bots[name].child.pid!);
        got[name] = await load(`${bots[name].url}/api/messages`, body, connections, seconds);
        cpu[name] = (cpuMs(bots[name].child.pid!) - before) / Math.max(1, got[name]!.ok);
        cpuPerTurn[name].push(cpu[name]!);
      }
      cpuRatios.push(cpu.acrbot! / cpu.echo!);
      for (const name of order) {
        rates[name].push(got[name]!.perSecond);
        failed += got[name]!.failed;
      }
      ratios.push(got.acrbot!.perSecond / got.echo!.perSecond);
      ctx.progress(
        `P2 pair ${p + 1}/${pairs}: acrbot ${got.acrbot!.perSecond.toFixed(0)} turns/s, echo ${got.echo!.perSecond.toFixed(0)} turns/s`,
      );
    }
  } finally {
    await Promise.all(Object.values(bots).map((b) => b.stop()));
    await connector.stop();
  }
  const ratio = repeated(ratios);
  const cpuRatio = repeated(cpuRatios);
  const a = repeated(rates.acrbot);
  const e = repeated(rates.echo);
  return {
    keys: {
      p2_throughput_ratio: round(ratio.median, 3),
      p2_turns_per_s_acrbot: round(a.median, 1),
      p2_turns_per_s_echo: round(e.median, 1),
      p2_failed_turns: failed,
      p2_cpu_per_turn_ratio: round(cpuRatio.median, 3),
      p2_cpu_ms_per_turn_acrbot: round(repeated(cpuPerTurn.acrbot).median, 3),
      p2_cpu_ms_per_turn_echo: round(repeated(cpuPerTurn.echo).median, 3),
    },
    rows: [
      {
        id: 'P2',
        what: 'help turns/s at 16 connections, acrbot ÷ echo',
        value: fmt.ratio(ratio.median),
        target: '≥ 0.9×',
        met: ratio.median >= 0.9 && failed === 0,
        detail: `acrbot ${a.median.toFixed(0)} turns/s (${a.min.toFixed(0)}–${a.max.toFixed(0)}), echo ${e.median.toFixed(0)} turns/s (${e.min.toFixed(0)}–${e.max.toFixed(0)}); ratio over ${pairs} pairs ${fmt.range(ratio.min, ratio.max, '×')}; ${failed} failed turns`,
      },
      {
        id: 'P2',
        what: 'bot CPU per help turn, acrbot ÷ echo (same windows)',
        value: fmt.ratio(cpuRatio.median),
        target: '',
        met: null,
        detail: `acrbot ${repeated(cpuPerTurn.acrbot).median.toFixed(2)} ms, echo ${repeated(cpuPerTurn.echo).median.toFixed(2)} ms per turn (/proc user + system ÷ 2xx turns, 10 ms ticks); ratio over ${pairs} pairs ${fmt.range(cpuRatio.min, cpuRatio.max, '×')}`,
      },
    ],
    notes: [
      `P2: autocannon, ${connections} keep-alive connections, ${pairs} alternating pairs of ${seconds} s windows after a 2 s warm-up per bot; both bots precompiled child processes, connector in the parent.`,
    ],
  };
};

/** The entry point bench/run.ts discovers. */
export const metric = p2Throughput;
