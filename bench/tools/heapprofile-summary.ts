/**
 * Summarises a `.heapprofile` written by bench/workers/alloc-preload.ts: bytes allocated per
 * flow, by package and by function, for comparing two builds (docs/performance.md):
 *
 *   node scripts/run-ts.js bench/tools/heapprofile-summary.ts <file> [flows=200] [top=30]
 */
import { readFileSync } from 'node:fs';
import { packageOf } from './cpuprofile-summary';

interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children?: HeapNode[];
}

function main(): void {
  const [file, flowsArg = '200', topArg = '30'] = process.argv.slice(2);
  if (!file) throw new Error('usage: heapprofile-summary.ts <file.heapprofile> [flows] [top]');
  const flows = Number(flowsArg);
  const { head } = JSON.parse(readFileSync(file, 'utf8')) as { head: HeapNode };
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  let total = 0;
  const walk = (node: HeapNode): void => {
    const { functionName, url, lineNumber } = node.callFrame;
    total += node.selfSize;
    const fn = `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${lineNumber}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + node.selfSize);
    byPackage.set(packageOf(url), (byPackage.get(packageOf(url)) ?? 0) + node.selfSize);
    for (const child of node.children ?? []) walk(child);
  };
  walk(head);
  const perFlow = (bytes: number) => `${(bytes / flows / 1024).toFixed(1).padStart(8)} KiB`;
  const top = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n);
  process.stdout.write(
    `allocated ${(total / 1048576).toFixed(1)} MiB, ${perFlow(total).trim()} per flow\n\nby package:\n`,
  );
  for (const [name, bytes] of top(byPackage, 20)) process.stdout.write(`${perFlow(bytes)}  ${name}\n`);
  process.stdout.write('\nby function:\n');
  for (const [name, bytes] of top(byFunction, Number(topArg))) process.stdout.write(`${perFlow(bytes)}  ${name}\n`);
}

main();
