/** Reads the memory of a bot process started with the GC preload (see workers/gc-preload.ts). */
import type { BotProcess } from './child';
import { compiled } from './compile';

/** Node arguments that load the preload. */
export function gcPreloadArgs(): string[] {
  // BENCH_NODE_ARGS: more node/V8 flags for the measured bot, for one-off experiments only.
  const extra = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  return [...extra, '--expose-gc', '-r', compiled('bench/workers/gc-preload.ts')];
}

/** Memory after full GCs and a settle period, in MB. */
export interface MemorySample {
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
  /** Linux only: anonymous resident memory, and the rest (file-backed and shared mappings). */
  anonymousMb?: number;
  fileAndSharedMb?: number;
}

/** Signals the bot to collect garbage and resolves with its report. */
export function sampleMemory(bot: BotProcess, timeoutMs = 15_000): Promise<MemorySample> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const onData = (d: Buffer) => {
      buffer += d.toString();
      const line = /BENCH_MEMORY (\{.*\})\n/.exec(buffer);
      if (!line) return;
      cleanup();
      const m = JSON.parse(line[1]) as {
        rss: number;
        heapUsed: number;
        heapTotal: number;
        external: number;
        anonymous?: number;
        fileAndShared?: number;
      };
      const mb = (b: number) => b / 1024 / 1024;
      resolve({
        rssMb: mb(m.rss),
        heapUsedMb: mb(m.heapUsed),
        heapTotalMb: mb(m.heapTotal),
        externalMb: mb(m.external),
        anonymousMb: m.anonymous === undefined ? undefined : mb(m.anonymous),
        fileAndSharedMb: m.fileAndShared === undefined ? undefined : mb(m.fileAndShared),
      });
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${bot.name} sent no memory report`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      bot.child.stderr!.off('data', onData);
    };
    bot.child.stderr!.on('data', onData);
    bot.child.kill('SIGUSR2');
  });
}
