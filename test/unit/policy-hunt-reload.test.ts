/**
 * The policy in force is read at start, well before the background step watches the file: a
 * change made in between sends no event. Watching begins with one reload, so that change is
 * loaded then, not at the next change or SIGHUP.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPolicy } from '../../src/config/policy-file';
import { type PolicyReload, PolicySource } from '../../src/config/policy-source';
import { within } from '../helpers/within';
import { useTempDir } from './support/temp-dir';

const EXAMPLE = readFileSync(join(__dirname, '../../docs/policy.example.yaml'), 'utf8');
const THREE = EXAMPLE.replace('approvalsRequired: 2', 'approvalsRequired: 3');
const settledAtOnce = { sleep: () => Promise.resolve() };

describe('PolicySource.watch: a change made before the watch began', () => {
  const dir = useTempDir('acrbot-policy-hunt-');

  test('is loaded when the watch begins', async () => {
    const file = dir.path('policy.yaml');
    writeFileSync(file, EXAMPLE);
    // Read at start ...
    const atStart = loadPolicy(readFileSync(file, 'utf8'), file);
    // ... then changed while acrbot opened its stores, before anything watched.
    writeFileSync(file, THREE);
    let reloaded!: (result: PolicyReload) => void;
    const first = new Promise<PolicyReload>((resolve) => (reloaded = resolve));
    const source = new PolicySource(atStart, file, (r) => reloaded(r), settledAtOnce);
    source.watch();
    try {
      expect(await within(first, 'the reload as the watch begins', 5_000)).toMatchObject({ ok: true, changed: true });
      expect(source.current().rules[0].approvalsRequired).toBe(3);
    } finally {
      source.close();
    }
  });

  test('a file that did not change is no change, and a file broken meanwhile is reported, the policy kept', async () => {
    const same = dir.path('same.yaml');
    writeFileSync(same, EXAMPLE);
    const broken = dir.path('broken.yaml');
    writeFileSync(broken, EXAMPLE);
    const sources = [same, broken].map((file) => {
      let reloaded!: (result: PolicyReload) => void;
      const first = new Promise<PolicyReload>((resolve) => (reloaded = resolve));
      const source = new PolicySource(loadPolicy(EXAMPLE, file), file, (r) => reloaded(r), settledAtOnce);
      return { source, first };
    });
    writeFileSync(broken, EXAMPLE.replace('approvalsRequired: 2', 'approvalsRequired: 0'));
    try {
      for (const { source } of sources) source.watch();
      const [unchanged, refused] = await within(Promise.all(sources.map((s) => s.first)), 'both reloads', 5_000);
      expect(unchanged).toMatchObject({ ok: true, changed: false });
      expect(refused.ok).toBe(false);
      expect(!refused.ok && refused.error.message).toMatch(/approvalsRequired: must be at least 1/);
      expect(sources[1].source.current().rules[0].approvalsRequired).toBe(2);
    } finally {
      for (const { source } of sources) source.close();
    }
  });
});
