/**
 * P5 cold start: process spawn → first `/readyz` 200, acrbot (`node dist/index.js`, sandbox
 * mode, memory storage) vs the echo bot (precompiled with swc). Both are plain precompiled
 * CommonJS started by the same `node` from the same directory; runs alternate between them.
 *
 * acrbot's figure includes what sandbox mode adds at start: minting the emulators' TLS CA and
 * certificate and starting the ARM/Graph emulators. `/readyz` also probes the store and the
 * credential, as a load balancer would.
 */
import { startBot, rssMb } from '../lib/child';
import { fmt, type Metric } from '../lib/report-types';
import { median, repeated, round } from '../lib/stats';

export const p5ColdStart: Metric = async (ctx) => {
  const runs = ctx.quick ? 2 : 8;
  const ready = { acrbot: [] as number[], echo: [] as number[] };
  const rss = { acrbot: [] as number[], echo: [] as number[] };
  const ratios: number[] = [];
  // One unmeasured start each: the first spawn pays for a cold file cache.
  for (const name of ['acrbot', 'echo'] as const) await (await startBot(name)).stop();
  for (let r = 0; r < runs; r++) {
    const order = r % 2 === 0 ? (['acrbot', 'echo'] as const) : (['echo', 'acrbot'] as const);
    const got: Record<string, number> = {};
    for (const name of order) {
      const bot = await startBot(name);
      got[name] = bot.readyMs;
      ready[name].push(bot.readyMs);
      rss[name].push(rssMb(bot.child.pid!));
      await bot.stop();
    }
    ratios.push(got.acrbot / got.echo);
    ctx.progress(`P5 run ${r + 1}/${runs}: acrbot ${fmt.ms(got.acrbot)}, echo ${fmt.ms(got.echo)}`);
  }
  const ratio = repeated(ratios);
  const a = repeated(ready.acrbot);
  const e = repeated(ready.echo);
  return {
    keys: {
      p5_cold_start_ratio: round(ratio.median, 3),
      p5_cold_start_acrbot_ms: round(a.median, 1),
      p5_cold_start_echo_ms: round(e.median, 1),
      p5_rss_at_ready_acrbot_mb: round(median(rss.acrbot), 1),
      p5_rss_at_ready_echo_mb: round(median(rss.echo), 1),
    },
    rows: [
      {
        id: 'P5',
        what: 'cold start (spawn → /readyz 200), acrbot ÷ echo',
        value: fmt.ratio(ratio.median),
        target: '≤ 1.5×',
        met: ratio.median <= 1.5,
        detail: `acrbot ${fmt.ms(a.median)} (${a.min.toFixed(0)}–${a.max.toFixed(0)}), echo ${fmt.ms(e.median)} (${e.min.toFixed(0)}–${e.max.toFixed(0)}); ratio over ${runs} runs ${fmt.range(ratio.min, ratio.max, '×')}; RSS at ready ${median(rss.acrbot).toFixed(0)} MB vs ${median(rss.echo).toFixed(0)} MB`,
      },
    ],
    notes: [
      `P5: ${runs} alternating starts per bot after one unmeasured start each; /readyz polled every 2 ms on fresh connections; acrbot with ACRBOT_STORAGE=memory in sandbox mode.`,
    ],
  };
};
