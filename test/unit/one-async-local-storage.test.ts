/**
 * The process keeps one AsyncLocalStorage (src/observability/correlation.ts). On Node 20 each one
 * in use adds its propagation to every promise made anywhere, which P8 pays per flow
 * (docs/performance.md: the promise hooks are a tenth of a flow's allocations); work that must
 * carry something through a turn marks the correlation scope instead (`markCurrentWork`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

test('src makes exactly one AsyncLocalStorage, the correlation scope', () => {
  const makers = sources(join(__dirname, '../../src')).filter((file) =>
    /new AsyncLocalStorage\b/.test(readFileSync(file, 'utf8')),
  );
  expect(makers.map((f) => f.replace(/.*\/src\//, 'src/'))).toEqual(['src/observability/correlation.ts']);
});
