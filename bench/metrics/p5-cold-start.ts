/**
 * P5 cold start: process spawn → ready, acrbot (`node dist/index.js`, memory storage) in sandbox
 * mode and in azure mode vs the echo bot (precompiled with swc). All are plain precompiled
 * CommonJS started by the same `node` from the same directory; each run starts the three in a
 * rotating order, so load changes hit all of them alike.
 *
 * - Sandbox mode: ready = `/readyz` 200 (store and credential probed), including what sandbox
 *   mode adds: the emulators' TLS material (from the `.data/` cache after the first start) and
 *   starting the ARM/Graph/Kubernetes/identity emulators.
 * - Azure mode: ready = `/healthz` 200 (listening, every module loaded, stores open). Its
 *   `/readyz` asks Entra for a token, a network round trip this machine cannot make; no Azure
 *   call is made before listening, so the figure is acrbot's own start-up.
 * - Besides wall time, the CPU time each process used until ready (/proc, 10 ms ticks): on a
 *   busy machine it moves far less than wall time.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { startBot, rssMb, type BotName } from '../lib/child';
import { BUILD_DIR } from '../lib/paths';
import { fmt, type Metric } from '../lib/report-types';
import { median, repeated, round } from '../lib/stats';

/** A complete azure-mode configuration with made-up ids (nothing is called before listening). */
const AZURE_ENV = {
  ACRBOT_MODE: 'azure',
  MicrosoftAppId: '11111111-1111-4111-8111-111111111111',
  MicrosoftAppType: 'SingleTenant',
  MicrosoftAppTenantId: '22222222-2222-4222-8222-222222222222',
  MicrosoftAppPassword: 'bench-not-a-secret',
  AZURE_SUBSCRIPTION_ID: '33333333-3333-4333-8333-333333333333',
  ACRBOT_APPROVERS: '55555555-5555-4555-8555-555555555555',
  ACRBOT_STORAGE: 'memory',
  // Start-up without a store file, as in the sandbox variant; azure mode asks for the opt-in.
  ACRBOT_ALLOW_EPHEMERAL_STORAGE: 'true',
};

type Variant = 'sandbox' | 'azure' | 'echo';
const VARIANTS: Record<Variant, { bot: BotName; env?: Record<string, string>; readyPath?: string }> = {
  sandbox: { bot: 'acrbot' },
  azure: { bot: 'acrbot', env: AZURE_ENV, readyPath: '/healthz' },
  echo: { bot: 'echo' },
};

async function start(variant: Variant) {
  const v = VARIANTS[variant];
  return startBot(v.bot, { env: v.env, readyPath: v.readyPath });
}

export const p5ColdStart: Metric = async (ctx) => {
  const runs = ctx.quick ? 2 : 8;
  const names = Object.keys(VARIANTS) as Variant[];
  const wall = { sandbox: [] as number[], azure: [] as number[], echo: [] as number[] };
  const cpu = { sandbox: [] as number[], azure: [] as number[], echo: [] as number[] };
  const rss = { sandbox: [] as number[], azure: [] as number[], echo: [] as number[] };
  const ratios = { sandbox: [] as number[], azure: [] as number[] };
  const cpuRatios = { sandbox: [] as number[], azure: [] as number[] };

  // One unmeasured start each: the first spawn pays for a cold file cache. The sandbox's first
  // start also mints its TLS material (no cache yet); it is reported on its own.
  rmSync(join(BUILD_DIR, '.data'), { recursive: true, force: true });
  const first = await start('sandbox');
  const firstSandboxMs = first.readyMs;
  await first.stop();
  for (const name of ['azure', 'echo'] as const) await (await start(name)).stop();

  for (let r = 0; r < runs; r++) {
    const order = names.map((_, i) => names[(i + r) % names.length]);
    const got = {} as Record<Variant, { wall: number; cpu: number }>;
    for (const name of order) {
      const bot = await start(name);
      got[name] = { wall: bot.readyMs, cpu: bot.readyCpuMs };
      wall[name].push(bot.readyMs);
      cpu[name].push(bot.readyCpuMs);
      rss[name].push(rssMb(bot.child.pid!));
      await bot.stop();
    }
    for (const mode of ['sandbox', 'azure'] as const) {
      ratios[mode].push(got[mode].wall / got.echo.wall);
      cpuRatios[mode].push(got[mode].cpu / Math.max(got.echo.cpu, 10));
    }
    ctx.progress(
      `P5 run ${r + 1}/${runs}: sandbox ${fmt.ms(got.sandbox.wall)}, azure ${fmt.ms(got.azure.wall)}, echo ${fmt.ms(got.echo.wall)}`,
    );
  }
  const row = (mode: 'sandbox' | 'azure', target: number) => {
    const ratio = repeated(ratios[mode]);
    const cpuRatio = repeated(cpuRatios[mode]);
    const a = repeated(wall[mode]);
    const e = repeated(wall.echo);
    return {
      id: 'P5',
      what: `cold start ${mode} mode (spawn → ${mode === 'azure' ? '/healthz' : '/readyz'} 200), acrbot ÷ echo`,
      value: fmt.ratio(ratio.median),
      target: `≤ ${target}×`,
      met: ratio.median <= target,
      detail:
        `acrbot ${fmt.ms(a.median)} (${a.min.toFixed(0)}–${a.max.toFixed(0)}), echo ${fmt.ms(e.median)} ` +
        `(${e.min.toFixed(0)}–${e.max.toFixed(0)}); ratio over ${runs} runs ${fmt.range(ratio.min, ratio.max, '×')}; ` +
        `CPU until ready ${median(cpu[mode]).toFixed(0)} vs ${median(cpu.echo).toFixed(0)} ms (ratio ${fmt.ratio(cpuRatio.median)}, ` +
        `${fmt.range(cpuRatio.min, cpuRatio.max, '×')}); RSS at ready ${median(rss[mode]).toFixed(0)} MB vs ${median(rss.echo).toFixed(0)} MB`,
    };
  };
  return {
    keys: {
      p5_cold_start_ratio: round(repeated(ratios.sandbox).median, 3),
      p5_cold_start_ratio_azure: round(repeated(ratios.azure).median, 3),
      p5_cold_start_cpu_ratio: round(repeated(cpuRatios.sandbox).median, 3),
      p5_cold_start_cpu_ratio_azure: round(repeated(cpuRatios.azure).median, 3),
      p5_cold_start_acrbot_ms: round(median(wall.sandbox), 1),
      p5_cold_start_azure_ms: round(median(wall.azure), 1),
      p5_cold_start_echo_ms: round(median(wall.echo), 1),
      p5_cold_start_first_sandbox_ms: round(firstSandboxMs, 1),
      p5_rss_at_ready_acrbot_mb: round(median(rss.sandbox), 1),
      p5_rss_at_ready_azure_mb: round(median(rss.azure), 1),
      p5_rss_at_ready_echo_mb: round(median(rss.echo), 1),
    },
    rows: [row('sandbox', 1.5), row('azure', 1.3)],
    notes: [
      `P5: ${runs} runs, each starting sandbox, azure and echo in a rotating order, after one unmeasured start each; ready polled every 2 ms on fresh connections; ACRBOT_STORAGE=memory. The sandbox's very first start (TLS material minted, then cached in .data/) took ${fmt.ms(firstSandboxMs)}.`,
    ],
  };
};

/** The entry point bench/run.ts discovers. */
export const metric = p5ColdStart;
