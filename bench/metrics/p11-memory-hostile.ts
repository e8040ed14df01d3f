/**
 * P11 memory under abuse: 10,000 abandoned dialogs and 10,000 hostile messages must leave the
 * bot's RSS (after GC) within 10 MB of where it was before them.
 *
 * acrbot runs as the production process (`node dist/index.js`, SQLite on a temp file) with the
 * GC preload; emulators, client and connector run in this process (as in P6). After a warm-up
 * of the same traffic (so V8 and the allocator have grown to their working size), memory is
 * sampled after full GCs, then again after each phase:
 *
 * - abandoned dialogs: a new user in a new channel thread starts a request without the registry
 *   (`grant aks-prod`: the bot asks for it) and never answers;
 * - hostile messages: a rotation of malformed and adversarial activities, each from a new user
 *   and thread: unknown commands, 16 KB texts, template and markdown injection, control and
 *   bidi characters in names, other tenants and channels, missing identity, forged card
 *   actions with large payloads, unknown request ids, redelivered activity ids.
 */
import { randomUUID } from 'node:crypto';
import { startSandbox } from '../../src/sandbox/sandbox';
import { startAcrbotProcess } from '../lib/acrbot-process';
import { cardAction, channelMessage, nextActivityId, postActivity, type TeamsUser } from '../lib/activities';
import { BenchConnector } from '../lib/connector';
import { gcPreloadArgs, type MemorySample, sampleMemory } from '../lib/memory-probe';
import type { Metric } from '../lib/report-types';
import { round } from '../lib/stats';

const IN_FLIGHT = 8;

function stranger(n: number): TeamsUser {
  return { objectId: randomUUID(), name: `Stranger ${n}`, teamsId: `29:stranger-${n}-${randomUUID()}` };
}

/** The n-th hostile activity (a rotation of kinds, each with fresh ids). */
export function hostileActivity(n: number, serviceUrl: string): Record<string, unknown> {
  const user = stranger(n);
  const text = (t: string) => channelMessage(user, t, serviceUrl).activity as Record<string, any>;
  switch (n % 12) {
    case 0:
      return text(`${randomUUID().slice(0, 8)}-not-a-command with words`);
    case 1:
      return text(`grant ${'x'.repeat(16 * 1024)}`);
    case 2:
      return text('grant ${$root} {{7*7}} <script>alert(1)</script> [approve](https://evil.example) now');
    case 3: {
      const a = text('status');
      a.from.name = `\u202e\u200b${'\u0000'.repeat(3)}evil\u2066name${n}`.padEnd(300, '\u200d');
      return a;
    }
    case 4: {
      const a = text('help');
      a.conversation.tenantId = randomUUID();
      a.channelData.tenant.id = a.conversation.tenantId;
      return a;
    }
    case 5: {
      const a = text('help');
      a.channelId = 'slack';
      return a;
    }
    case 6: {
      const a = text('pending');
      delete a.from.aadObjectId;
      return a;
    }
    case 7:
      return cardAction(
        user,
        'approve',
        { requestId: randomUUID(), version: 1, blob: 'A'.repeat(8 * 1024) },
        serviceUrl,
      );
    case 8:
      return cardAction(user, `verb-${n}`, { nested: { deep: [1, 2, { x: '${x}' }] } }, serviceUrl);
    case 9:
      return text(`status ${randomUUID()}`);
    case 10: {
      // The same activity id twice: a redelivery.
      const a = text('help');
      a.id = `redelivered-${Math.floor(n / 24)}`;
      return a;
    }
    default: {
      const a = text(`audit ${'%'.repeat(200)}`);
      a.entities = Array.from({ length: 50 }, (_, i) => ({
        type: 'mention',
        text: `<at>${i}</at>`,
        mentioned: { id: `${i}` },
      }));
      return a;
    }
  }
}

function abandonedDialog(n: number, serviceUrl: string): Record<string, unknown> {
  return channelMessage(stranger(n), 'grant aks-prod', serviceUrl, nextActivityId()).activity;
}

async function send(
  botUrl: string,
  count: number,
  make: (n: number) => Record<string, unknown>,
): Promise<{ statuses: Map<number, number> }> {
  const statuses = new Map<number, number>();
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < count) {
        const n = next++;
        const { status } = await postActivity(botUrl, make(n));
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    }),
  );
  return { statuses };
}

export const metric: Metric = async (ctx) => {
  const count = ctx.quick ? 1000 : 10_000;
  const warmUp = ctx.quick ? 200 : 1000;
  const connector = new BenchConnector();
  await connector.start();
  const sandbox = await startSandbox({ recordRequests: false });
  const samples: Array<{ label: string; memory: MemorySample }> = [];
  const statusNotes: string[] = [];
  try {
    const acrbot = await startAcrbotProcess(sandbox, { nodeArgs: gcPreloadArgs() });
    try {
      const url = acrbot.bot.url;
      await send(url, warmUp, (n) => abandonedDialog(1e9 + n, connector.url));
      await send(url, warmUp, (n) => hostileActivity(1e9 + n, connector.url));
      samples.push({ label: 'after warm-up', memory: await sampleMemory(acrbot.bot) });
      ctx.progress(`P11 baseline RSS ${samples[0].memory.rssMb.toFixed(1)} MB`);
      const dialogs = await send(url, count, (n) => abandonedDialog(n, connector.url));
      samples.push({ label: `+${count} abandoned dialogs`, memory: await sampleMemory(acrbot.bot) });
      ctx.progress(`P11 after dialogs RSS ${samples[1].memory.rssMb.toFixed(1)} MB`);
      const hostile = await send(url, count, (n) => hostileActivity(n, connector.url));
      samples.push({ label: `+${count} hostile messages`, memory: await sampleMemory(acrbot.bot) });
      ctx.progress(`P11 after hostile RSS ${samples[2].memory.rssMb.toFixed(1)} MB`);
      // BENCH_P11_EXTRA_ROUNDS=n: n more rounds of the same traffic after the measured one, each
      // sampled, to see whether the growth levels off (not part of the target).
      for (let extra = 1; extra <= Number(process.env.BENCH_P11_EXTRA_ROUNDS ?? 0); extra++) {
        await send(url, count, (n) => abandonedDialog(extra * 1e7 + n, connector.url));
        await send(url, count, (n) => hostileActivity(extra * 1e7 + n, connector.url));
        samples.push({ label: `extra round ${extra}`, memory: await sampleMemory(acrbot.bot) });
        ctx.progress(`P11 after extra round ${extra} RSS ${samples[samples.length - 1].memory.rssMb.toFixed(1)} MB`);
      }
      const fmtStatuses = (m: Map<number, number>) => [...m].map(([s, c]) => `${s}×${c}`).join(', ');
      statusNotes.push(
        `dialogs answered ${fmtStatuses(dialogs.statuses)}; hostile answered ${fmtStatuses(hostile.statuses)}`,
      );
    } finally {
      await acrbot.stop();
    }
  } finally {
    await sandbox.stop();
    await connector.stop();
  }
  const [base, afterDialogs, afterHostile] = samples;
  const growth = afterHostile.memory.rssMb - base.memory.rssMb;
  const heapGrowth = afterHostile.memory.heapUsedMb - base.memory.heapUsedMb;
  const signed = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(1)} MB`;
  return {
    keys: {
      p11_rss_growth_mb: round(growth, 1),
      p11_heap_growth_mb: round(heapGrowth, 1),
      p11_rss_growth_dialogs_mb: round(afterDialogs.memory.rssMb - base.memory.rssMb, 1),
      p11_rss_growth_hostile_mb: round(afterHostile.memory.rssMb - afterDialogs.memory.rssMb, 1),
    },
    rows: [
      {
        id: 'P11',
        what: `RSS after ${count} abandoned dialogs + ${count} hostile messages (after GC)`,
        value: signed(growth),
        target: '≤ +10 MB',
        met: growth <= 10,
        detail: `${samples.map((s) => `${s.label}: RSS ${s.memory.rssMb.toFixed(1)} (anonymous ${s.memory.anonymousMb?.toFixed(1) ?? '?'}, file/shared ${s.memory.fileAndSharedMb?.toFixed(1) ?? '?'}) / heap ${s.memory.heapUsedMb.toFixed(1)} of ${s.memory.heapTotalMb.toFixed(1)} / external ${s.memory.externalMb.toFixed(1)} MB`).join('; ')}; heap ${signed(heapGrowth)}; ${statusNotes.join('')}`,
      },
    ],
    notes: [
      `P11: acrbot as \`node dist/index.js\` (SQLite) with ${IN_FLIGHT} activities in flight; warm-up ${warmUp} of each kind, then ${count} abandoned dialogs, then ${count} hostile messages (12 kinds in rotation, each from a new user and thread); RSS and heap after two full GCs and a 1.5 s settle.`,
    ],
  };
};
