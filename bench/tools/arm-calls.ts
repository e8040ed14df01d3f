/**
 * CPU that acrbot's ARM adapters cost per grant flow (the 7 ARM calls of P8: plan GET cluster,
 * GET registries, role assignments of the principal, permissions; execution GET cluster,
 * GET registry, PUT role assignment), without the rest of the bot, for A/B of the transport:
 *
 *   npm run build && node scripts/run-ts.js bench/tools/arm-calls.ts [pairs=3] [dist,dist2…] [concurrency=200] [bursts=5]
 *
 * Each dist (default: this worktree's `dist`) runs in its own child process
 * (bench/workers/arm-calls-worker.ts), alternating, against emulators in this process; every
 * flow uses its own cluster, so each role assignment is a first grant. ARM_CALLS_PROFILE_DIR
 * writes a CPU profile of each child's measured bursts.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SANDBOX_REGISTRIES, SANDBOX_SUBSCRIPTIONS } from '../../src/sandbox/fixtures';
import { startSandbox } from '../../src/sandbox/sandbox';
import { addBenchClusters, revoke } from '../lib/bench-world';
import { compileBench, compiled } from '../lib/compile';
import { BUILD_DIR, ROOT } from '../lib/paths';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(): Promise<void> {
  const pairs = Number(process.argv[2] ?? 3);
  const dists = (process.argv[3] ?? `${ROOT}/dist`).split(',');
  const concurrency = Number(process.argv[4] ?? 200);
  const bursts = Number(process.argv[5] ?? 5);
  compileBench();
  const sandbox = await startSandbox({ recordRequests: false });
  const dir = mkdtempSync(join(tmpdir(), 'arm-calls-'));
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, sandbox.tls.caPem);
  const clusters = addBenchClusters(sandbox, concurrency * (bursts + 4), 'aks-armcalls');
  const c = SANDBOX_REGISTRIES.contoso;
  const registry = {
    resourceGroup: c.resourceGroup,
    name: c.name,
    id: `/subscriptions/${c.subscriptionId}/resourceGroups/${c.resourceGroup}/providers/Microsoft.ContainerRegistry/registries/${c.name}`,
  };
  // Too large for the environment: the targets go through a file.
  const targetsFile = join(dir, 'targets.json');
  writeFileSync(
    targetsFile,
    JSON.stringify(
      clusters.map((cl) => ({
        resourceGroup: cl.ref.split('/')[0],
        name: cl.ref.split('/')[1],
        kubeletObjectId: cl.kubeletObjectId,
      })),
    ),
  );
  const results = new Map<string, number[]>();
  try {
    for (let p = 0; p < pairs; p++) {
      for (const dist of dists) {
        for (const cl of clusters) revoke(sandbox, cl);
        const profile = process.env.ARM_CALLS_PROFILE_DIR
          ? join(process.env.ARM_CALLS_PROFILE_DIR, `arm-calls-${p}-${dists.indexOf(dist)}.cpuprofile`)
          : undefined;
        // `dist#variant[:mask]` picks a variant of the worker (see arm-calls-worker.ts).
        const [distDir, spec] = dist.split('#');
        const [variant, mask] = (spec ?? '').split(':');
        const perFlow = await runWorker({
          ...(variant ? { ARM_CALLS_VARIANT: variant } : {}),
          ...(mask ? { ARM_CALLS_MASK: mask } : {}),
          ARM_CALLS_DIST: distDir,
          ARM_CALLS_ENDPOINT: sandbox.armUrl,
          ARM_CALLS_TOKEN: sandbox.token,
          ARM_CALLS_SUBSCRIPTION: SANDBOX_SUBSCRIPTIONS.platform,
          ARM_CALLS_TARGETS: targetsFile,
          ARM_CALLS_REGISTRY: JSON.stringify(registry),
          ARM_CALLS_CONCURRENCY: String(concurrency),
          ARM_CALLS_BURSTS: String(bursts),
          NODE_EXTRA_CA_CERTS: caFile,
          ...(profile ? { ARM_CALLS_PROFILE: profile } : {}),
        });
        results.set(dist, [...(results.get(dist) ?? []), median(perFlow)]);
        process.stdout.write(
          `pair ${p} ${dist}: CPU per flow (7 ARM calls) median ${median(perFlow).toFixed(2)} ms [${perFlow.map((x) => x.toFixed(2)).join(' ')}]${profile ? ` profile ${profile}` : ''}\n`,
        );
      }
    }
    for (const [dist, xs] of results)
      process.stdout.write(
        `${dist}: median of pairs ${median(xs).toFixed(2)} ms/flow [${xs.map((x) => x.toFixed(2)).join(' ')}]\n`,
      );
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await sandbox.stop();
  }
}

/** Runs the worker once; resolves its per-burst CPU per flow. */
function runWorker(env: Record<string, string>): Promise<number[]> {
  return new Promise((resolve, reject) => {
    // ARM_CALLS_NODE_ARGS: extra node arguments for the child (e.g. `-r` a counting preload).
    const nodeArgs = process.env.ARM_CALLS_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
    const child = spawn(process.execPath, [...nodeArgs, compiled('bench/workers/arm-calls-worker.ts')], {
      cwd: BUILD_DIR,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`worker exited ${code}: ${err}`));
      if (err) process.stderr.write(err);
      resolve((JSON.parse(out.trim().split('\n').pop()!) as { perFlow: number[] }).perFlow);
    });
  });
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
