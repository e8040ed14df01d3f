/**
 * An audit detail longer than AUDIT_DETAIL_MAX is cut between whole characters when the entry is
 * written (domain/audit-chain.ts `auditText`, text.ts `cutText`): never half a flag, part of an
 * emoji sequence or a letter without its accent, as a cut by UTF-16 units left them. Verify never
 * cuts or cleans: an entry written with the old cut keeps its text and verifies.
 */
import {
  AUDIT_DETAIL_MAX,
  type AuditEntry,
  auditText,
  chainEntry,
  GENESIS_HASH,
  hashEntry,
  verifyChain,
} from '../../src/domain/audit-chain';
import { auditEvent } from './support/requests';

const FLAG = '\u{1F1E9}\u{1F1EA}'; // 🇩🇪: two regional indicators, four units
const FAMILY = '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}'; // 👨‍👩‍👧: eight units
const ACCENTED = 'e\u0301'; // é as a letter and a combining accent

describe('auditText cuts a long detail between whole characters', () => {
  test.each([
    // [what, the detail, what is kept before the "…"]
    ['a flag across the cut', `${'x'.repeat(497)}${FLAG} and more`, 'x'.repeat(497)],
    ['an emoji sequence across the cut', `${'x'.repeat(495)}${FAMILY} and more`, 'x'.repeat(495)],
    ['a letter whose accent is past the cut', `${'x'.repeat(498)}${ACCENTED} and more`, 'x'.repeat(498)],
    ['an emoji across the cut', `${'x'.repeat(498)}\u{1F600} and more`, 'x'.repeat(498)],
    ['a flag that fits', `${'x'.repeat(495)}${FLAG} and more`, `${'x'.repeat(495)}${FLAG}`],
    ['plain text', 'a'.repeat(600), 'a'.repeat(AUDIT_DETAIL_MAX - 1)],
  ])('%s', (_what, detail, kept) => {
    const cut = auditText(detail)!;
    expect(cut).toBe(`${kept}…`);
    expect(cut.length).toBeLessThanOrEqual(AUDIT_DETAIL_MAX);
  });

  test('text that fits is kept whole, a flag at its end included', () => {
    const fits = `${'x'.repeat(AUDIT_DETAIL_MAX - 4)}${FLAG}`;
    expect(auditText(fits)).toBe(fits);
  });

  test('a fact id is cut the same way, and the entry verifies', () => {
    const entry = chainEntry(
      auditEvent(1, { detail: `${'x'.repeat(497)}${FLAG} tail`, facts: { deleted: [`${'y'.repeat(497)}${FLAG}z`] } }),
      undefined,
      new Date(Date.UTC(2026, 0, 1)),
    );
    expect(entry.detail).toBe(`${'x'.repeat(497)}…`);
    expect(entry.facts).toEqual({ deleted: [`${'y'.repeat(497)}…`] });
    expect(verifyChain([JSON.parse(JSON.stringify(entry)) as AuditEntry])).toMatchObject({ intact: true, count: 1 });
  });
});

describe('verify never cuts again: an entry written with the cut by units keeps its text and verifies', () => {
  test('half a flag stored before, then an entry cut between graphemes', () => {
    // As the cut by UTF-16 units stored it: the first regional indicator kept, the second not.
    const { hash: _hash, ...content } = chainEntry(auditEvent(1), undefined, new Date(Date.UTC(2026, 0, 1)));
    const before = { ...content, detail: `${'x'.repeat(497)}\u{1F1E9}…`, prevHash: GENESIS_HASH } as AuditEntry;
    before.hash = hashEntry(before);
    const next = chainEntry(
      auditEvent(2, { detail: `${'x'.repeat(497)}${FLAG} tail` }),
      before,
      new Date(Date.UTC(2026, 0, 2)),
    );
    const stored = JSON.parse(JSON.stringify([before, next])) as AuditEntry[];
    expect(verifyChain(stored)).toMatchObject({ intact: true, count: 2 });
    expect(stored[0]!.detail).toBe(`${'x'.repeat(497)}\u{1F1E9}…`);
    expect(stored[1]!.detail).toBe(`${'x'.repeat(497)}…`);
  });
});
