/**
 * Reloading ACRBOT_POLICY while it is being written: a file read half-way may parse (the first
 * half of a policy is often valid YAML, missing the line that asks for a second approver), so a
 * change is taken only once two reads a moment apart agree. The wait is injected: each test
 * plays the writer inside it, so nothing depends on real time.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPolicy, parsePolicy } from '../../src/config/policy-file';
import { type PolicyReload, PolicySource } from '../../src/config/policy-source';
import { useTempDir } from './support/temp-dir';

const EXAMPLE = readFileSync(join(__dirname, '../../docs/policy.example.yaml'), 'utf8');
/** The policy in force before the edit: production needs three approvals. */
const BEFORE = EXAMPLE.replace('approvalsRequired: 2', 'approvalsRequired: 3');
/** The file half-written: valid, but its first rule has lost `approvalsRequired: 2` (so needs 1). */
const HALF = EXAMPLE.slice(0, EXAMPLE.indexOf('    approvalsRequired: 2'));

describe('PolicySource: a file still being written is not loaded', () => {
  const dir = useTempDir('acrbot-policy-source-');

  test('the half-written file is valid on its own (what makes the race dangerous)', () => {
    expect(parsePolicy(HALF, 'half.yaml').rules[0]).toMatchObject({ id: 'prod-registries', approvalsRequired: 1 });
  });

  test('a reload that reads the file half-written waits until two reads agree, then loads the whole file', async () => {
    const file = dir.path('policy.yaml');
    writeFileSync(file, HALF);
    const waits: number[] = [];
    const inForce: number[] = [];
    const reports: PolicyReload[] = [];
    const source = new PolicySource(loadPolicy(BEFORE, file), file, (r) => reports.push(r), {
      sleep: async (ms) => {
        waits.push(ms);
        inForce.push(source.current().rules[0].approvalsRequired);
        // The writer finishes during the first wait.
        if (waits.length === 1) writeFileSync(file, EXAMPLE);
      },
    });
    const result = await source.reload();
    expect(result).toMatchObject({ ok: true, changed: true });
    expect(source.current().rules[0].approvalsRequired).toBe(2);
    // Half read, whole read (differs), whole read again (agrees): two waits of the default length.
    expect(waits).toEqual([250, 250]);
    // Meanwhile the previous policy stayed; the half file was never in force nor reported.
    expect(inForce).toEqual([3, 3]);
    expect(reports).toEqual([result]);
  });

  test('a file that keeps changing is not loaded (bounded): the previous policy stays, and a later reload takes it', async () => {
    const file = dir.path('policy.yaml');
    writeFileSync(file, HALF);
    let writes = 0;
    let writing = true;
    const source = new PolicySource(loadPolicy(BEFORE, file), file, undefined, {
      settleMs: 10,
      maxReads: 4,
      sleep: async () => {
        if (writing) writeFileSync(file, `${HALF}# still writing ${++writes}\n`);
      },
    });
    const result = await source.reload();
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.message).toMatch(
      /the file was still changing after 4 reads 10 ms apart, so it is not loaded yet; it is once it stays the same/,
    );
    expect(writes).toBe(3);
    expect(source.current().rules[0].approvalsRequired).toBe(3);
    writing = false;
    writeFileSync(file, EXAMPLE);
    expect(await source.reload()).toMatchObject({ ok: true, changed: true });
    expect(source.current().rules[0].approvalsRequired).toBe(2);
  });

  test('a file that still holds the policy in force needs no second read', async () => {
    const file = dir.path('policy.yaml');
    writeFileSync(file, BEFORE);
    const sleep = jest.fn(() => Promise.resolve());
    const source = new PolicySource(loadPolicy(BEFORE, file), file, undefined, { sleep });
    expect(await source.reload()).toMatchObject({ ok: true, changed: false });
    expect(sleep).not.toHaveBeenCalled();
  });

  test('reloads run one after another: a SIGHUP during a reload sees the policy that reload took', async () => {
    const file = dir.path('policy.yaml');
    writeFileSync(file, EXAMPLE);
    const source = new PolicySource(loadPolicy(BEFORE, file), file, undefined, { sleep: () => Promise.resolve() });
    const [first, second] = await Promise.all([source.reload(), source.reload()]);
    expect(first).toMatchObject({ ok: true, changed: true });
    expect(second).toMatchObject({ ok: true, changed: false });
  });
});
