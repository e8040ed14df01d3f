/**
 * P2 throughput: concurrent `help` turns (autocannon, keep-alive connections) against each bot
 * as a precompiled child process; completed turns per second, acrbot ÷ echo.
 *
 * Short windows alternate between the bots (acrbot, echo, echo, acrbot, …) and each pair gives
 * one ratio, so the machine's changing background load hits both sides of every ratio.
 */
import { personalMessage, USERS } from '../lib/activities';
import { startBot } from '../lib/child';
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
  let failed = 0;
  try {
    for (const bot of Object.values(bots)) await load(`${bot.url}/api/messages`, body, connections, 2); // warm-up
    for (let p = 0; p < pairs; p++) {
      const order = p % 2 === 0 ? (['acrbot', 'echo'] as const) : (['echo', 'acrbot'] as const);
      const got: Partial<Record<'acrbot' | 'echo', LoadResult>> = {};
      for (const name of order) got[name] = await load(`${bots[name].url}/api/messages`, body, connections, seconds);
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
  const a = repeated(rates.acrbot);
  const e = repeated(rates.echo);
  return {
    keys: {
      p2_throughput_ratio: round(ratio.median, 3),
      p2_turns_per_s_acrbot: round(a.median, 1),
      p2_turns_per_s_echo: round(e.median, 1),
      p2_failed_turns: failed,
    },
    rows: [
      {
        id: 'P2',
        what: 'help turns/s at 16 connections, acrbot ÷ echo',
        value: fmt.ratio(ratio.median),
        target: '≥ 0.80×',
        met: ratio.median >= 0.8 && failed === 0,
        detail: `acrbot ${a.median.toFixed(0)} turns/s (${a.min.toFixed(0)}–${a.max.toFixed(0)}), echo ${e.median.toFixed(0)} turns/s (${e.min.toFixed(0)}–${e.max.toFixed(0)}); ratio over ${pairs} pairs ${fmt.range(ratio.min, ratio.max, '×')}; ${failed} failed turns`,
      },
    ],
    notes: [
      `P2: autocannon, ${connections} keep-alive connections, ${pairs} alternating pairs of ${seconds} s windows after a 2 s warm-up per bot; both bots precompiled child processes, connector in the parent.`,
    ],
  };
};

/** The entry point bench/run.ts discovers. */
export const metric = p2Throughput;
