/**
 * Reloads of the approval policy are audited: a file taken is `policy.reloaded` (the hash before
 * and after, the rules added, removed and changed), a file refused is `policy.reload.refused` (its
 * first problem, the policy kept), and an unchanged file nothing. Several instances reloading the
 * same file write one entry between them. Real PolicySources on a temporary file, as each instance
 * holds one, over one memory audit log (conditional on its idempotency keys, as every store is).
 */
import { writeFileSync } from 'node:fs';
import { loadPolicy } from '../../src/config/policy-file';
import { PolicySource } from '../../src/config/policy-source';
import type { AuditLog } from '../../src/domain/ports';
import { PolicyReloadAudit } from '../../src/flows/policy-reload-audit';
import { MemoryAuditLog } from '../../src/integrations/store/memory-stores';
import { FakeClock, HOUR } from './support/fake-clock';
import { ERROR, logLines } from './support/log-lines';
import { useTempDir } from './support/temp-dir';

const U1 = '0a000000-0000-4000-8000-00000000bbb1';
const U2 = '0a000000-0000-4000-8000-00000000bbb2';
const rules = (...r: Array<[string, string]>) =>
  `version: 1\nrules:\n${r.map(([id, user]) => `  - id: ${id}\n    match: { cluster: "aks-${id}*" }\n    approvers: { users: ["${user}"] }\n`).join('')}`;
const V1 = rules(['prod', U1], ['dev', U1]);
/** `dev` removed, `stage` added, `prod`'s approver changed. */
const V2 = rules(['prod', U2], ['stage', U1]);
/** Refused: a rule without approvers. */
const BROKEN = 'version: 1\nrules:\n  - id: v3\n    match: {}\n';
/** Refused another way: not YAML a policy can be read from. */
const BROKEN_OTHERWISE = 'version: 1\nrules: [\n';

/** One instance: its policy source over `file` and the reload audit its composition root wires. */
function instance(file: string, audit: AuditLog, clock: FakeClock, log = logLines().logger) {
  const initial = loadPolicy(V1, file);
  const reloads = new PolicyReloadAudit(audit, clock, log, 'tenant-1', initial.policy);
  const source: PolicySource = new PolicySource(initial, file, undefined, { sleep: () => Promise.resolve() });
  /** Reloads as SIGHUP does, and records it as the composition root's callback does. */
  const reload = async () => {
    const result = await source.reload();
    await reloads.record(result, result.ok ? undefined : source.refusal()?.reason);
    return result;
  };
  return { source, reload };
}

describe('the audit entries of policy reloads', () => {
  const dir = useTempDir('acrbot-policy-reload-audit-');

  test('a new file: one policy.reloaded across two instances, naming both hashes and the rules changed', async () => {
    const file = dir.path('policy.yaml');
    writeFileSync(file, V1);
    const clock = new FakeClock('2026-12-06T09:00:00.000Z');
    const audit = new MemoryAuditLog(clock);
    const a = instance(file, audit, clock);
    const b = instance(file, audit, clock);
    const before = a.source.current().hash;

    // The same file, unchanged: no entry.
    expect(await a.reload()).toMatchObject({ ok: true, changed: false });
    expect(await audit.latest(10)).toEqual([]);

    writeFileSync(file, V2);
    expect(await a.reload()).toMatchObject({ ok: true, changed: true });
    clock.advance(40_000);
    expect(await b.reload()).toMatchObject({ ok: true, changed: true });
    const after = a.source.current().hash;

    const entries = await audit.latest(10);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      action: 'policy.reloaded',
      outcome: 'reloaded',
      actor: { objectId: 'acrbot' },
      tenantId: 'tenant-1',
      policyHash: after,
      detail: `policy ${before} → ${after}; rules added: stage; removed: dev; changed: prod`,
    });
    expect(entries[0].idempotencyKey!.length).toBeLessThanOrEqual(128);

    // Put back an hour later: a change of its own, audited.
    clock.advance(HOUR);
    writeFileSync(file, V1);
    await a.reload();
    expect((await audit.latest(10)).map((e) => e.detail)).toEqual([
      `policy ${before} → ${after}; rules added: stage; removed: dev; changed: prod`,
      `policy ${after} → ${before}; rules added: dev; removed: stage; changed: prod`,
    ]);
  });

  test('a refused file: one policy.reload.refused across instances and reloads, with its first problem', async () => {
    const file = dir.path('policy.yaml');
    writeFileSync(file, V1);
    const clock = new FakeClock('2026-12-06T09:00:00.000Z');
    const audit = new MemoryAuditLog(clock);
    const a = instance(file, audit, clock);
    const b = instance(file, audit, clock);
    const kept = a.source.current().hash;

    writeFileSync(file, BROKEN);
    expect(await a.reload()).toMatchObject({ ok: false });
    expect(await b.reload()).toMatchObject({ ok: false });
    expect(await a.reload()).toMatchObject({ ok: false });

    const entries = await audit.latest(10);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ action: 'policy.reload.refused', outcome: 'refused', policyHash: kept });
    expect(entries[0].detail).toBe(`policy ${kept} kept: ${a.source.refusal()!.reason}`);
    expect(entries[0].detail).toContain('line 3, rules[0].approvers: nobody could approve under this rule');
    expect(a.source.current().hash).toBe(kept);
  });

  test('an audit log that cannot be written: the reload stands, and the failure is logged', async () => {
    const file = dir.path('policy.yaml');
    writeFileSync(file, V1);
    const clock = new FakeClock('2026-12-06T09:00:00.000Z');
    const failing: AuditLog = Object.assign(new MemoryAuditLog(clock), {
      append: () => Promise.reject(new Error('store unavailable')),
    });
    const { lines, logger } = logLines();
    const a = instance(file, failing, clock, logger);
    writeFileSync(file, V2);
    expect(await a.reload()).toMatchObject({ ok: true, changed: true });
    expect(a.source.current().rules.map((r) => r.id)).toEqual(['prod', 'stage']);
    expect(lines).toEqual([
      expect.objectContaining({
        level: ERROR,
        msg: 'policy reload could not be audited; the reload stands',
        action: 'policy.reloaded',
      }),
    ]);
  });

  /** Two instances over one audit log and `file` (holding V1), at 09:00. */
  function twoInstances(file: string) {
    writeFileSync(file, V1);
    const clock = new FakeClock('2026-12-06T09:00:00.000Z');
    const audit = new MemoryAuditLog(clock);
    return { clock, audit, a: instance(file, audit, clock), b: instance(file, audit, clock) };
  }

  test('the same change made again in the same hour is one entry; an hour later, a second one', async () => {
    const file = dir.path('policy.yaml');
    const { clock, audit, a, b } = twoInstances(file);
    const v1 = a.source.current().hash;
    const change = async (text: string) => {
      clock.advance(60_000);
      writeFileSync(file, text);
      await a.reload();
      await b.reload();
    };
    const forward = `policy ${v1} → `;
    await change(V2);
    const v2 = a.source.current().hash;
    await change(V1);
    // V1 → V2 again within the hour (documented: not recorded twice).
    await change(V2);
    expect((await audit.latest(10)).map((e) => e.detail!.split(';')[0])).toEqual([
      `${forward}${v2}`,
      `policy ${v2} → ${v1}`,
    ]);

    // An hour later, the same V1 → V2 again: an entry of its own.
    clock.advance(HOUR);
    await change(V1);
    await change(V2);
    const forwards = (await audit.latest(10)).filter((e) => e.detail!.startsWith(forward));
    expect(forwards.map((e) => e.ts)).toEqual([expect.stringMatching(/T09:/), expect.stringMatching(/T10:/)]);
    expect(await audit.latest(10)).toHaveLength(4);
  });

  test('a refused file broken a second, different way (the same policy kept): a second entry', async () => {
    const file = dir.path('policy.yaml');
    const { audit, a, b } = twoInstances(file);
    const kept = a.source.current().hash;
    writeFileSync(file, BROKEN);
    await a.reload();
    await b.reload();
    const first = a.source.refusal()!.reason;
    writeFileSync(file, BROKEN_OTHERWISE);
    await a.reload();
    await b.reload();
    const second = a.source.refusal()!.reason;
    expect(second).not.toBe(first);
    expect((await audit.latest(10)).map((e) => [e.action, e.detail])).toEqual([
      ['policy.reload.refused', `policy ${kept} kept: ${first}`],
      ['policy.reload.refused', `policy ${kept} kept: ${second}`],
    ]);
  });

  test('a new file with the same rules says "rules unchanged"', async () => {
    const file = dir.path('policy.yaml');
    const { audit, a } = twoInstances(file);
    const before = a.source.current().hash;
    writeFileSync(file, `# reviewed 2026-12-06\n${V1}`);
    expect(await a.reload()).toMatchObject({ ok: true, changed: true });
    const after = a.source.current().hash;
    expect(after).not.toBe(before);
    expect((await audit.latest(10)).map((e) => e.detail)).toEqual([`policy ${before} → ${after}; rules unchanged`]);
  });

  test('more than 10 rules of a kind: the first 10 named, the rest counted', async () => {
    const file = dir.path('policy.yaml');
    const { audit, a } = twoInstances(file);
    const many = Array.from({ length: 12 }, (_, i): [string, string] => [`r${String(i + 1).padStart(2, '0')}`, U1]);
    writeFileSync(file, rules(['prod', U1], ['dev', U1], ...many));
    await a.reload();
    const named = many.slice(0, 10).map(([id]) => id);
    expect((await audit.latest(10))[0]!.detail).toMatch(new RegExp(`; rules added: ${named.join(', ')} and 2 more$`));
  });
});
