/**
 * PolicyReloadAudit (policy-reload-audit.ts), from breaking it: a rule whose id changed only in
 * letter case is "changed", not added; exactly 10 rules of a kind are all named with nothing
 * counted; two reloads whose hashes differ only past their first characters are two entries.
 */
import { PolicyReloadAudit } from '../../src/flows/policy-reload-audit';
import { MemoryAuditLog } from '../../src/integrations/store/memory-stores';
import { FakeClock } from './support/fake-clock';
import { logLines } from './support/log-lines';
import { policy, rule } from './support/policy-fixtures';

const HASH_A = `${'a'.repeat(64)}`;

function recorder(initial = policy([rule('prod')], HASH_A)) {
  const clock = new FakeClock('2026-12-06T09:00:00.000Z');
  const audit = new MemoryAuditLog(clock);
  const reloads = new PolicyReloadAudit(audit, clock, logLines().logger, 'tenant-1', initial);
  const details = async () => (await audit.latest(10)).map((e) => e.detail);
  return { audit, reloads, details };
}

test('a rule whose id changed only in letter case is changed, not added', async () => {
  const t = recorder(policy([rule('Prod')], HASH_A));
  const next = policy([rule('prod')], 'b'.repeat(64));
  await t.reloads.record({ ok: true, changed: true, policy: next });
  expect(await t.details()).toEqual([`policy ${HASH_A} → ${'b'.repeat(64)}; rules changed: prod`]);
});

test('exactly 10 rules added are all named, nothing counted', async () => {
  const t = recorder();
  const ids = Array.from({ length: 10 }, (_, i) => `r${i + 1}`);
  const next = policy([rule('prod'), ...ids.map((id) => rule(id))], 'b'.repeat(64));
  await t.reloads.record({ ok: true, changed: true, policy: next });
  expect(await t.details()).toEqual([`policy ${HASH_A} → ${'b'.repeat(64)}; rules added: ${ids.join(', ')}`]);
});

test('two reloads in one hour whose hashes share their first characters are two entries', async () => {
  const t = recorder();
  // Differ from HASH_A, and from each other, only after the 20th character.
  const second = `${'a'.repeat(20)}${'b'.repeat(44)}`;
  const third = `${'a'.repeat(20)}${'c'.repeat(44)}`;
  await t.reloads.record({ ok: true, changed: true, policy: policy([rule('prod')], second) });
  await t.reloads.record({ ok: true, changed: true, policy: policy([rule('prod')], HASH_A) });
  await t.reloads.record({ ok: true, changed: true, policy: policy([rule('prod')], third) });
  expect(await t.details()).toHaveLength(3);
});
