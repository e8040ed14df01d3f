/**
 * P1 turn latency: `help` turns through `/api/messages`, one at a time, acrbot vs the echo bot.
 *
 * Both bots run as precompiled child processes (`node dist/index.js`, the compiled echo bot);
 * the client and the capturing connector live in this process and are shared, so they cost
 * both bots the same. A turn is POST → HTTP 200: CloudAdapter answers only after the bot's
 * reply has been delivered to the connector, so the figure includes the reply.
 * The help text goes to a 1:1 chat (one conversation per user, as in Teams).
 *
 * The machine is small and shared, so load comes and goes within seconds; turns therefore
 * alternate between the bots (acrbot, echo, acrbot, …) and both see the same noise.
 */
import { personalMessage, postActivity, USERS } from '../lib/activities';
import { type BotProcess, startBot } from '../lib/child';
import { BenchConnector } from '../lib/connector';
import { fmt, type Metric } from '../lib/report-types';
import { repeated, round, summarize } from '../lib/stats';

/** One help turn; returns its latency in ms. */
async function turn(bot: BotProcess, serviceUrl: string): Promise<number> {
  const activity = personalMessage(USERS.requester, 'help', serviceUrl);
  const t0 = performance.now();
  const res = await postActivity(bot.url, activity);
  const ms = performance.now() - t0;
  if (res.status !== 200)
    throw new Error(`${bot.name} answered HTTP ${res.status} to a help turn: ${res.body.slice(0, 200)}`);
  return ms;
}

/** `count` turns per bot, alternating between them; latencies per bot. */
async function interleaved(
  bots: Record<'acrbot' | 'echo', BotProcess>,
  serviceUrl: string,
  count: number,
): Promise<{ acrbot: number[]; echo: number[] }> {
  const out = { acrbot: [] as number[], echo: [] as number[] };
  for (let i = 0; i < count; i++) {
    // Swap who goes first every turn so neither always follows the other.
    const order = i % 2 === 0 ? (['acrbot', 'echo'] as const) : (['echo', 'acrbot'] as const);
    for (const name of order) out[name].push(await turn(bots[name], serviceUrl));
  }
  return out;
}

export const p1TurnLatency: Metric = async (ctx) => {
  const runs = ctx.quick ? 2 : 5;
  const perRun = ctx.quick ? 100 : 400;
  const warmup = ctx.quick ? 50 : 200;
  const connector = new BenchConnector();
  const serviceUrl = await connector.start();
  const bots = { acrbot: await startBot('acrbot'), echo: await startBot('echo') };
  const p50 = { acrbot: [] as number[], echo: [] as number[] };
  const p99 = { acrbot: [] as number[], echo: [] as number[] };
  const ratios: number[] = [];
  try {
    await interleaved(bots, serviceUrl, warmup);
    for (let r = 0; r < runs; r++) {
      const samples = await interleaved(bots, serviceUrl, perRun);
      const run = { acrbot: summarize(samples.acrbot), echo: summarize(samples.echo) };
      for (const name of ['acrbot', 'echo'] as const) {
        p50[name].push(run[name].p50);
        p99[name].push(run[name].p99);
      }
      ratios.push(run.acrbot.p50 / run.echo.p50);
      ctx.progress(`P1 run ${r + 1}/${runs}: acrbot p50 ${fmt.ms(run.acrbot.p50)}, echo p50 ${fmt.ms(run.echo.p50)}`);
    }
  } finally {
    await Promise.all(Object.values(bots).map((b) => b.stop()));
    await connector.stop();
  }
  const ratio = repeated(ratios);
  const a = { p50: repeated(p50.acrbot), p99: repeated(p99.acrbot) };
  const e = { p50: repeated(p50.echo), p99: repeated(p99.echo) };
  return {
    keys: {
      p1_turn_p50_ratio: round(ratio.median, 3),
      p1_turn_p50_acrbot_ms: round(a.p50.median, 3),
      p1_turn_p99_acrbot_ms: round(a.p99.median, 3),
      p1_turn_p50_echo_ms: round(e.p50.median, 3),
      p1_turn_p99_echo_ms: round(e.p99.median, 3),
    },
    rows: [
      {
        id: 'P1',
        what: 'help turn latency p50, acrbot ÷ echo',
        value: fmt.ratio(ratio.median),
        target: '≤ 1.15×',
        met: ratio.median <= 1.15,
        detail: `acrbot p50 ${fmt.ms(a.p50.median)} / p99 ${fmt.ms(a.p99.median)}; echo p50 ${fmt.ms(e.p50.median)} / p99 ${fmt.ms(e.p99.median)}; ratio over ${runs} runs ${fmt.range(ratio.min, ratio.max, '×')}`,
      },
    ],
    notes: [
      `P1: ${runs} runs × ${perRun} sequential help turns per bot, alternating turn by turn between the bots, after ${warmup} warm-up turns each; both bots are precompiled child processes; client and connector shared in the parent.`,
    ],
  };
};

/** The entry point bench/run.ts discovers. */
export const metric = p1TurnLatency;
