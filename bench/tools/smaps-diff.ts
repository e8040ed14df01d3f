/**
 * Where a process's resident memory grew between two snapshots of gc-preload.ts (P11
 * investigation): `BENCH_SMAPS_DIR=/tmp/p11 npm run bench -- --only p11`, then
 *
 *   node scripts/run-ts.js bench/tools/smaps-diff.ts /tmp/p11/<pid>-1 /tmp/p11/<pid>-3
 *
 * Every mapping of `/proc/<pid>/smaps` is put in one class: glibc's main arena (`[heap]`, brk),
 * a glibc thread arena (the 64 MB-aligned heaps gdb found for each arena, named by the threads
 * that use it), a thread's stack, file-backed, or "other anonymous" (V8's heap and code pages,
 * malloc chunks served by mmap, ICU/zlib/OpenSSL mmaps). Prints resident and anonymous kB per
 * class before and after, V8's own accounting and glibc's (taken from the heap: in use vs free
 * kept by the allocator), and the mappings that grew most.
 */
import { existsSync, readFileSync } from 'node:fs';

interface Mapping {
  start: bigint;
  end: bigint;
  perms: string;
  path: string;
  rssKb: number;
  anonKb: number;
}

interface Arena {
  address: string;
  systemMem: number;
  free: number;
  topFree: number;
  binFree: number;
  fastFree: number;
  heaps: Array<{ start: string; size: number }>;
}

interface ArenaReport {
  arenas: Arena[];
  threads: Array<{ lwp: number; sp: string; arena: string; tcacheBytes: number; frames: string[] }>;
  mmapped: { count: number; bytes: number; threshold: number };
}

interface Snapshot {
  mappings: Mapping[];
  v8: {
    memoryUsage: NodeJS.MemoryUsage;
    heap: Record<string, number>;
    spaces: Array<{
      space_name: string;
      space_size: number;
      space_used_size: number;
      space_available_size: number;
      physical_space_size: number;
    }>;
    code: Record<string, number>;
  };
  arenas?: ArenaReport;
}

function parseSmaps(text: string): Mapping[] {
  const out: Mapping[] = [];
  let cur: Mapping | undefined;
  for (const line of text.split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (head) {
      cur = {
        start: BigInt(`0x${head[1]}`),
        end: BigInt(`0x${head[2]}`),
        perms: head[3],
        path: head[4],
        rssKb: 0,
        anonKb: 0,
      };
      out.push(cur);
      continue;
    }
    const field = /^(Rss|Anonymous):\s+(\d+) kB/.exec(line);
    if (field && cur) {
      if (field[1] === 'Rss') cur.rssKb = Number(field[2]);
      else cur.anonKb = Number(field[2]);
    }
  }
  return out;
}

function load(base: string): Snapshot {
  return {
    mappings: parseSmaps(readFileSync(`${base}.smaps`, 'utf8')),
    v8: JSON.parse(readFileSync(`${base}.json`, 'utf8')) as Snapshot['v8'],
    arenas: existsSync(`${base}.arenas.json`)
      ? (JSON.parse(readFileSync(`${base}.arenas.json`, 'utf8')) as ArenaReport)
      : undefined,
  };
}

/** A short role for a thread from its stack (node 20 names every thread "node"). */
function role(frames: string[], lwp?: number, pid?: number): string {
  if (lwp !== undefined && lwp === pid) return 'main';
  const has = (s: string) => frames.some((f) => f.includes(s));
  if (has('NodeMainInstance') || has('node::Start')) return 'main';
  if (has('DelayedTaskScheduler')) return 'platform-delayed';
  if (has('PlatformWorkerThread') || has('WorkerThreadsTaskRunner')) return 'v8-worker';
  if (has('inspector')) return 'inspector-io';
  if (has('uv__queue_work') || has('worker') || has('uv_cond_wait')) return 'libuv-pool';
  if (has('SignalInspector') || has('sem_wait')) return 'inspector-signal';
  return frames.slice(-4).join('<');
}

/** The process id: the thread with the lowest id is the main thread. */
function pidOf(r: ArenaReport): number {
  return Math.min(...r.threads.map((t) => t.lwp));
}

/** The class of one mapping. */
function classify(m: Mapping, snap: Snapshot): string {
  if (m.path === '[heap]') return 'glibc main arena ([heap], brk)';
  if (m.path === '[stack]') return 'main thread stack';
  if (m.path.startsWith('[')) return m.path;
  if (m.path) return 'file-backed';
  const arenas = snap.arenas;
  if (arenas) {
    for (const a of arenas.arenas) {
      for (const h of a.heaps) {
        const start = BigInt(h.start);
        if (m.start >= start && m.start < start + 64n * 1024n * 1024n) {
          const users = arenas.threads
            .filter((t) => t.arena === a.address)
            .map((t) => role(t.frames, t.lwp, pidOf(arenas)));
          return `glibc arena ${a.address} (${[...new Set(users)].join(', ') || 'no thread now'})`;
        }
      }
    }
    for (const t of arenas.threads) {
      const sp = BigInt(t.sp);
      if (sp >= m.start && sp < m.end) return `stack of ${role(t.frames, t.lwp, pidOf(arenas))}`;
    }
  }
  if (m.perms.includes('x')) return 'anonymous executable (V8 code space)';
  if (m.perms === '---p') return 'reserved, not committed';
  return 'other anonymous (V8 heap pages, mmapped malloc chunks, …)';
}

function byClass(snap: Snapshot): Map<string, { rssKb: number; anonKb: number; count: number }> {
  const out = new Map<string, { rssKb: number; anonKb: number; count: number }>();
  for (const m of snap.mappings) {
    const c = classify(m, snap);
    const e = out.get(c) ?? { rssKb: 0, anonKb: 0, count: 0 };
    e.rssKb += m.rssKb;
    e.anonKb += m.anonKb;
    e.count += 1;
    out.set(c, e);
  }
  return out;
}

const kb = (b: number) => Math.round(b / 1024);
const signed = (v: number) => `${v >= 0 ? '+' : ''}${v}`;

function main(): void {
  const [beforeBase, afterBase] = process.argv.slice(2);
  if (!beforeBase || !afterBase) throw new Error('usage: smaps-diff.ts <before-base> <after-base>');
  const before = load(beforeBase);
  const after = load(afterBase);
  const a = byClass(before);
  const b = byClass(after);
  const total = (m: Map<string, { rssKb: number; anonKb: number }>) =>
    [...m.values()].reduce((s, e) => ({ rssKb: s.rssKb + e.rssKb, anonKb: s.anonKb + e.anonKb }), {
      rssKb: 0,
      anonKb: 0,
    });
  const classes = [...new Set([...a.keys(), ...b.keys()])].sort(
    (x, y) => (b.get(y)?.rssKb ?? 0) - (a.get(y)?.rssKb ?? 0) - ((b.get(x)?.rssKb ?? 0) - (a.get(x)?.rssKb ?? 0)),
  );
  console.log('## Resident memory by class (kB): before → after (growth)');
  for (const c of classes) {
    const x = a.get(c) ?? { rssKb: 0, anonKb: 0, count: 0 };
    const y = b.get(c) ?? { rssKb: 0, anonKb: 0, count: 0 };
    if (x.rssKb === 0 && y.rssKb === 0) continue;
    console.log(
      `${signed(y.rssKb - x.rssKb).padStart(7)}  ${String(x.rssKb).padStart(7)} → ${String(y.rssKb).padStart(7)}  (${x.count}→${y.count} maps)  ${c}`,
    );
  }
  const ta = total(a);
  const tb = total(b);
  console.log(
    `${signed(tb.rssKb - ta.rssKb).padStart(7)}  ${String(ta.rssKb).padStart(7)} → ${String(tb.rssKb).padStart(7)}  total RSS`,
  );
  console.log(
    `${signed(tb.anonKb - ta.anonKb).padStart(7)}  ${String(ta.anonKb).padStart(7)} → ${String(tb.anonKb).padStart(7)}  total anonymous`,
  );

  console.log('\n## V8 (kB): before → after (growth)');
  const v = (s: Snapshot, k: string) => kb(s.v8.heap[k]);
  for (const k of [
    'total_heap_size',
    'total_physical_size',
    'used_heap_size',
    'malloced_memory',
    'peak_malloced_memory',
    'external_memory',
  ]) {
    if (before.v8.heap[k] === undefined) continue;
    console.log(
      `${signed(v(after, k) - v(before, k)).padStart(7)}  ${String(v(before, k)).padStart(7)} → ${String(v(after, k)).padStart(7)}  ${k}`,
    );
  }
  for (const s of after.v8.spaces) {
    const p = before.v8.spaces.find((q) => q.space_name === s.space_name);
    if (!p) continue;
    console.log(
      `${signed(kb(s.physical_space_size) - kb(p.physical_space_size)).padStart(7)}  ${String(kb(p.physical_space_size)).padStart(7)} → ${String(kb(s.physical_space_size)).padStart(7)}  ${s.space_name} physical (used ${kb(p.space_used_size)} → ${kb(s.space_used_size)}, size ${kb(p.space_size)} → ${kb(s.space_size)})`,
    );
  }
  for (const k of Object.keys(after.v8.code)) {
    console.log(
      `${signed(kb(after.v8.code[k]) - kb(before.v8.code[k])).padStart(7)}  ${String(kb(before.v8.code[k])).padStart(7)} → ${String(kb(after.v8.code[k])).padStart(7)}  code: ${k}`,
    );
  }

  if (before.arenas && after.arenas) {
    console.log('\n## glibc arenas (kB): system → in use + free kept, before → after');
    const users = (r: ArenaReport, addr: string) =>
      [...new Set(r.threads.filter((t) => t.arena === addr).map((t) => role(t.frames, t.lwp, pidOf(r))))].join(', ') ||
      'no thread now';
    for (const y of after.arenas.arenas) {
      const x = before.arenas.arenas.find((q) => q.address === y.address);
      const line = (r: Arena | undefined) =>
        r
          ? `${kb(r.systemMem)} = ${kb(r.systemMem - r.free)} used + ${kb(r.free)} free (top ${kb(r.topFree)}, bins ${kb(r.binFree)}, fast ${kb(r.fastFree)})`
          : '—';
      console.log(`${y.address} [${users(after.arenas, y.address)}]: ${line(x)}  →  ${line(y)}`);
    }
    const tc = (r: ArenaReport) => kb(r.threads.reduce((s, t) => s + t.tcacheBytes, 0));
    console.log(`tcache (all threads): ${tc(before.arenas)} → ${tc(after.arenas)}`);
    console.log(
      `mmapped chunks: ${before.arenas.mmapped.count} (${kb(before.arenas.mmapped.bytes)}) → ${after.arenas.mmapped.count} (${kb(after.arenas.mmapped.bytes)}); threshold ${before.arenas.mmapped.threshold} → ${after.arenas.mmapped.threshold}`,
    );
  }

  console.log('\n## Mappings that grew most (kB of RSS)');
  const beforeByStart = new Map(before.mappings.map((m) => [m.start, m]));
  const grown = after.mappings
    .map((m) => ({ m, d: m.rssKb - (beforeByStart.get(m.start)?.rssKb ?? 0), isNew: !beforeByStart.has(m.start) }))
    .filter((g) => g.d !== 0)
    .sort((x, y) => Math.abs(y.d) - Math.abs(x.d))
    .slice(0, 25);
  for (const g of grown) {
    const size = Number(g.m.end - g.m.start) / 1024;
    console.log(
      `${signed(g.d).padStart(7)}  ${g.m.start.toString(16)} ${g.m.perms} size ${size} rss ${g.m.rssKb}${g.isNew ? ' (new)' : ''}  ${classify(g.m, after)}`,
    );
  }
}

main();
