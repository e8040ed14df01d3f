/**
 * Summarises a `.cpuprofile` (from `node --cpu-prof`): self time by package and by function,
 * and total time (self + children) of the top frames under module loading. This is how the
 * misses in docs/performance.md were investigated:
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof dist/index.js   # then stop it with SIGINT
 *   node scripts/run-ts.js bench/tools/cpuprofile-summary.ts /tmp/prof/CPU*.cpuprofile [top]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** `botbuilder`, `@azure/core-rest-pipeline`, `acrbot:src/…`, `(node)` … for a script URL. */
export function packageOf(url: string): string {
  if (!url) return '(native/gc/idle)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) return '(node core)';
  const m = /\/(dist|src|bench)\/(.*)$/.exec(url);
  return m ? `acrbot:${m[1]}/${m[2].split('/')[0]}` : url;
}

/** Self time (ms) per node id. */
function selfTimes(p: Profile): Map<number, number> {
  const self = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++)
    self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
  return self;
}

/** Self time by package, largest first. */
export function byPackage(p: Profile): [string, number][] {
  const self = selfTimes(p);
  const out = new Map<string, number>();
  for (const n of p.nodes)
    out.set(packageOf(n.callFrame.url), (out.get(packageOf(n.callFrame.url)) ?? 0) + (self.get(n.id) ?? 0));
  return [...out.entries()].sort((a, b) => b[1] - a[1]);
}

/** Self time by function (`name (package file:line)`), largest first. */
export function byFunction(p: Profile): [string, number][] {
  const self = selfTimes(p);
  const out = new Map<string, number>();
  for (const n of p.nodes) {
    const f = n.callFrame;
    const key = `${f.functionName || '(anonymous)'}  ${packageOf(f.url)} ${f.url.split('/').pop()}:${f.lineNumber + 1}`;
    out.set(key, (out.get(key) ?? 0) + (self.get(n.id) ?? 0));
  }
  return [...out.entries()].sort((a, b) => b[1] - a[1]);
}

/** Where a function's self time comes from: the top caller chains (`depth` frames up). */
export function callersOf(p: Profile, functionName: string, depth = 6): [string, number][] {
  const self = selfTimes(p);
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const out = new Map<string, number>();
  for (const n of p.nodes) {
    if (n.callFrame.functionName !== functionName) continue;
    const chain: string[] = [];
    for (let id = parent.get(n.id), k = 0; id !== undefined && k < depth; id = parent.get(id), k++) {
      const f = byId.get(id)!.callFrame;
      chain.push(`${f.functionName || '(anonymous)'}@${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}`);
    }
    const key = chain.join(' < ');
    out.set(key, (out.get(key) ?? 0) + (self.get(n.id) ?? 0));
  }
  return [...out.entries()].sort((a, b) => b[1] - a[1]);
}

/**
 * Inclusive time by package of the *requiring* module: for every frame that is a module's
 * top-level code (`functionName` empty, a file URL), its subtree's time is charged to that
 * file's package. Shows which dependency's loading costs the most at start.
 */
export function loadTimeByPackage(p: Profile): [string, number][] {
  const self = selfTimes(p);
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const total = new Map<number, number>();
  const inclusive = (id: number): number => {
    const cached = total.get(id);
    if (cached !== undefined) return cached;
    const n = byId.get(id)!;
    const t = (self.get(id) ?? 0) + (n.children ?? []).reduce((s, c) => s + inclusive(c), 0);
    total.set(id, t);
    return t;
  };
  const out = new Map<string, number>();
  // Charge each top-level module frame once: only the outermost frame of each package counts.
  const walk = (id: number, seen: Set<string>) => {
    const n = byId.get(id)!;
    const pkg = packageOf(n.callFrame.url);
    const isModuleTop = n.callFrame.functionName === '' && /^(file:|\/)/.test(n.callFrame.url);
    let next = seen;
    if (isModuleTop && !seen.has(pkg)) {
      out.set(pkg, (out.get(pkg) ?? 0) + inclusive(id));
      next = new Set(seen).add(pkg);
    }
    for (const c of n.children ?? []) walk(c, next);
  };
  walk(p.nodes[0].id, new Set());
  return [...out.entries()].sort((a, b) => b[1] - a[1]);
}

if (require.main === module || process.argv[1]?.endsWith('cpuprofile-summary.ts')) {
  const args = process.argv.slice(2);
  const [file, topArg, callersArg] = args.filter((a) => a !== '--samples');
  if (!file) {
    process.stderr.write('usage: cpuprofile-summary <file.cpuprofile> [top] [--callers=<function name>] [--samples]\n');
    process.exit(2);
  }
  const top = Number(topArg ?? 15);
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  // --samples: each sample counts 1 "ms" instead of its time delta. On a loaded machine a stretch
  // the thread was descheduled lands on whichever frame is sampled next (tens of ms on trivial
  // functions); counts compare two builds' profiles better there (docs/performance.md, round 32).
  if (args.includes('--samples')) p.timeDeltas = p.timeDeltas.map(() => 1000);
  if (callersArg?.startsWith('--callers=')) {
    for (const [k, v] of callersOf(p, callersArg.slice('--callers='.length)).slice(0, top))
      process.stdout.write(`  ${v.toFixed(1).padStart(8)} ms  ${k}\n`);
    process.exit(0);
  }
  const totalMs = p.timeDeltas.reduce((s, d) => s + d, 0) / 1000;
  process.stdout.write(`profile: ${totalMs.toFixed(0)} ms sampled\n\nself time by package:\n`);
  for (const [k, v] of byPackage(p).slice(0, top)) process.stdout.write(`  ${v.toFixed(1).padStart(8)} ms  ${k}\n`);
  process.stdout.write('\nself time by function:\n');
  for (const [k, v] of byFunction(p).slice(0, top)) process.stdout.write(`  ${v.toFixed(1).padStart(8)} ms  ${k}\n`);
  process.stdout.write('\ninclusive time of module top-level code, by package (≈ load cost):\n');
  for (const [k, v] of loadTimeByPackage(p).slice(0, top))
    process.stdout.write(`  ${v.toFixed(1).padStart(8)} ms  ${k}\n`);
}
