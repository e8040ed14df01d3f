/**
 * G12 at display: an audit entry stored before audit details were scrubbed (auditText) keeps the
 * secret an Azure error quoted — the trail is append-only and its hash covers the text as stored —
 * so the cards that list entries (`audit N`, `audit R-…`, the audit channel card) scrub each detail
 * when they show it. The rest of the detail still reads as it did.
 */
import { chainEntry, type AuditEntry } from '../../src/domain/audit-chain';
import { auditCard } from '../../src/views/message-view';
import { ACCOUNT_KEY, JWT, PASSWORD, SAS_SIG, SECRETS } from '../helpers/secret-sentinels';
import { auditEvent } from './support/requests';

/** An Azure error as an earlier acrbot stored it, secrets and all. */
const STORED_DETAIL =
  `anchor write failed: PUT https://acct.blob.core.windows.net/anchors?sig=${SAS_SIG}&sp=racw ` +
  `AccountName=acct;AccountKey=${ACCOUNT_KEY}; Authorization: Bearer ${JWT} password=${PASSWORD}`;

/** An entry as the store returns it: `detail` exactly as written before scrubbing existed. */
function storedBeforeScrubbing(seq: number, detail: string): AuditEntry {
  const entry = chainEntry(auditEvent(seq), undefined, new Date('2024-06-01T00:00:00Z'));
  return { ...entry, seq, detail };
}

/** Every text the card shows. */
function shownText(card: unknown): string {
  return JSON.stringify(card);
}

describe('audit cards scrub secrets in stored details (G12)', () => {
  test('`audit N` and `audit R-…`: the listing shows the detail without its secrets', () => {
    const card = auditCard(
      'Latest audit entries',
      'last 1, newest last',
      [storedBeforeScrubbing(7, STORED_DETAIL)],
      false,
    );
    const text = shownText(card);
    for (const secret of SECRETS) expect(text).not.toContain(secret);
    expect(text).toContain('anchor write failed');
    expect(text).toContain('AccountName=acct');
    expect(text).toContain('[redacted]');
  });

  test('the audit channel card (with the chain head) too', () => {
    const entry = storedBeforeScrubbing(3, `token=${PASSWORD} was refused`);
    const card = auditCard(
      'R-7K2M9QXA · grant · failed',
      'Riley Requester: aks-prod → contosoacr',
      [entry],
      false,
      entry,
    );
    const text = shownText(card);
    expect(text).not.toContain(PASSWORD);
    expect(text).toContain('token=[redacted] was refused');
  });
});
