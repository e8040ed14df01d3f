/**
 * The audit listing card stays under Teams' card size with the most entries `audit N` shows,
 * however long their details (request.created carries the whole reason, access.resumed more):
 * the card shortens what it shows, the audit log keeps every detail whole.
 */
import { chainEntry, type AuditEntry } from '../../src/domain/audit-chain';
import { auditCard, shortenForCard } from '../../src/views/message-view';
import { cardText } from '../helpers/capturing-connector';
import { startHarness, users } from '../helpers/harness';
import { auditEvent } from './support/requests';

/** Teams asks for cards under 28 KB; measured as the UTF-8 bytes of the JSON sent. */
const TEAMS_CARD_BYTES = 28_000;
const bytes = (card: object) => Buffer.byteLength(JSON.stringify(card), 'utf8');

function entries(count: number, detail: string, actorName = 'Riley Requester'): AuditEntry[] {
  const out: AuditEntry[] = [];
  for (let i = 1; i <= count; i++)
    out.push(
      chainEntry(
        auditEvent(i, { detail, actor: { objectId: 'a', name: actorName } }),
        out[out.length - 1],
        new Date('2025-01-01T00:00:00Z'),
      ),
    );
  return out;
}

/** The detail text blocks of a rendered audit card. */
function details(card: Record<string, any>): string[] {
  const list = card.body[card.body.length - 1].items as Array<{ items: Array<{ text: string }> }>;
  return list.map((entry) => entry.items[2]?.text ?? '');
}

describe('audit card size', () => {
  test.each([
    ['ASCII', 'x'.repeat(500)],
    ['CJK', '\u4e2d'.repeat(500)],
    ['emoji (surrogate pairs)', '\u{1F600}'.repeat(500)],
    ['text JSON escapes', '"\\\u0001'.repeat(170)],
  ])('50 entries with 500-character %s details stay under 28 KB, each detail shortened with "…"', (_, detail) => {
    const listed = entries(50, detail);
    const card = auditCard('Latest audit entries', 'last 50, newest last', listed, false);
    expect(bytes(card)).toBeLessThan(TEAMS_CARD_BYTES);
    const shown = details(card);
    expect(shown).toHaveLength(50);
    // As stored: control characters are written as \uXXXX in the entry (audit-chain.ts auditText).
    const stored = listed[0]!.detail!;
    for (const text of shown) {
      expect(text.endsWith('…')).toBe(true);
      expect(stored.startsWith(text.slice(0, -1))).toBe(true);
      // Never half a character: no lone surrogate at the cut.
      expect(text).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
      expect([...text].length).toBeLessThanOrEqual(201);
    }
  });

  test('long CJK names and details together still fit', () => {
    const card = auditCard(
      'Latest audit entries',
      'last 50',
      entries(50, '\u4e2d'.repeat(500), '\u540d'.repeat(300)),
      false,
    );
    expect(bytes(card)).toBeLessThan(TEAMS_CARD_BYTES);
  });

  test('a short detail is shown whole, and a 200-character one is not cut', () => {
    const exact = 'y'.repeat(200);
    const card = auditCard('Audit', 'two', [...entries(1, 'request approved'), ...entries(1, exact)], false);
    expect(details(card)).toEqual(['request approved', exact]);
  });

  test('shortenForCard cuts between code points, by characters and by JSON bytes', () => {
    expect(shortenForCard('abcdef', 3)).toBe('abc…');
    expect(shortenForCard('abc', 3)).toBe('abc');
    expect(shortenForCard('\u{1F600}\u{1F600}\u{1F600}', 2)).toBe('\u{1F600}\u{1F600}…');
    // 4 bytes an emoji, 3 the ellipsis: 11 bytes hold two emoji and "…".
    expect(shortenForCard('\u{1F600}'.repeat(5), 200, 11)).toBe('\u{1F600}\u{1F600}…');
    expect(shortenForCard('\u{1F600}'.repeat(5), 200, 10)).toBe('\u{1F600}…');
  });

  test('`audit 50` through the bot: the card is under 28 KB, the audit log keeps every detail whole', async () => {
    const h = await startHarness();
    try {
      const long = `${'\u4e2d'.repeat(250)} ${'deploy payments-api '.repeat(12)}`.trim();
      for (let i = 1; i <= 50; i++) await h.app.audit.append(auditEvent(i, { detail: long }));
      h.connector.clear();
      await h.say(users.approver, 'audit 50', 'personal');
      const call = await h.connector.waitFor(
        (c) => c.op !== 'update' && /Latest audit entries/.test(cardText(c.activity)),
        5000,
        'the audit card',
      );
      const card = call.activity.attachments[0].content;
      expect(bytes(card)).toBeLessThan(TEAMS_CARD_BYTES);
      expect(details(card).filter((d) => d.endsWith('…')).length).toBeGreaterThanOrEqual(50);
      const stored = await h.app.audit.latest(50);
      expect(stored.filter((e) => e.detail === long)).toHaveLength(50);
    } finally {
      await h.stop();
    }
  });
});
