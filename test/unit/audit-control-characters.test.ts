/**
 * Terminal escape sequences typed into chat never reach the audit trail or its export raw: the
 * message text drops control characters (ESC, BEL, backspace, DEL, C1 with its one-character CSI
 * U+009B) as it drops format characters, `auditText` writes any that come another way (an Azure
 * error, a card's data) as `\uXXXX`, and the CLI's CSV and JSONL exports escape those of entries
 * stored before that, so paging through an export cannot clear lines or plant links on the
 * operator's terminal. Entries stored raw still verify: verify hashes the text as stored.
 */
import { PassThrough } from 'node:stream';
import { csvCell, entryCsvLine } from '../../src/audit-cli/csv';
import { exportEntries } from '../../src/audit-cli/export';
import { messageText } from '../../src/bot/message-text';
import {
  type AuditEntry,
  auditText,
  chainEntry,
  GENESIS_HASH,
  hashEntry,
  verifyChain,
} from '../../src/domain/audit-chain';
import { parseCommand } from '../../src/domain/command';
import { auditEvent } from './support/requests';

/** Control characters a terminal acts on (C0 but tab, CR and LF; DEL; C1). */
const RAW_CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

/** ESC-based sequences (clear line, cursor up, OSC 8 link), BEL, backspace, DEL and C1 CSI. */
const PLANTED = '\u001b[2K\u001b[1A\u001b]8;;https://evil.example\u001b\\x\u0007\u0008\u007f\u009b2J\u0085';

describe('chat text', () => {
  test('control characters typed as entities or sent raw are dropped from the command', () => {
    const text = messageText(
      'access aks&#27;[2K&#27;]8;;https://evil.example&#x1B;\\&#7;&#8;&#127;&#155;2J\u009b\u0007prod',
    );
    expect(text).not.toMatch(RAW_CONTROL);
    expect(parseCommand(text)).toEqual({ verb: 'access', target: 'aks[2K]8;;https://evil.example\\2Jprod' });
    // So a word with one inside is the word itself.
    expect(parseCommand(messageText('gr&#27;ant aks-prod contosoacr'))).toMatchObject({ verb: 'grant' });
  });

  test('tab and line breaks are kept: they separate words and lines of a reason', () => {
    expect(messageText('grant a\tb\nline two\r\nthree')).toBe('grant a\tb\nline two\r\nthree');
  });
});

describe('auditText', () => {
  test('writes control characters as \\uXXXX, CR and LF as before, and keeps tab', () => {
    expect(auditText(`x${PLANTED}\ty\r\nz`)).toBe(
      'x\\u001b[2K\\u001b[1A\\u001b]8;;https://evil.example\\u001b\\x\\u0007\\u0008\\u007f\\u009b2J\\u0085\ty\\r\\nz',
    );
  });

  test('an entry is written with its detail escaped, and verifies', () => {
    const entry = chainEntry(auditEvent(1, { detail: `Azure said ${PLANTED}` }), undefined, new Date(0));
    expect(entry.detail).not.toMatch(RAW_CONTROL);
    expect(entry.detail).toContain('\\u001b[2K');
    expect(verifyChain([entry])).toEqual({ intact: true, count: 1 });
  });

  test('an entry stored before the escape, with raw control characters, still verifies', () => {
    const { hash: _hash, ...written } = chainEntry(auditEvent(1), undefined, new Date(0));
    const old = { ...written, detail: `access aks${PLANTED}` };
    const stored = { ...old, hash: hashEntry(old) } as AuditEntry;
    expect(stored.prevHash).toBe(GENESIS_HASH);
    expect(verifyChain([stored])).toEqual({ intact: true, count: 1 });
  });
});

/** An entry as one stored before the escape: raw control characters in its detail and actor name. */
function rawEntry(): AuditEntry {
  const { hash: _hash, ...written } = chainEntry(auditEvent(1), undefined, new Date(0));
  const old = { ...written, actor: { objectId: 'o', name: `Eve${PLANTED}` }, detail: `access aks${PLANTED}` };
  return { ...old, hash: hashEntry(old) } as AuditEntry;
}

async function exported(entries: AuditEntry[], format: 'csv' | 'jsonl'): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await exportEntries(
    (async function* () {
      yield* entries;
    })(),
    out,
    { format },
  );
  out.end();
  return Buffer.concat(chunks).toString('utf8');
}

describe('audit:export', () => {
  test('CSV writes control characters as \\uXXXX; quoting and the formula guard are as before', async () => {
    const csv = await exported([rawEntry()], 'csv');
    expect(csv).not.toMatch(RAW_CONTROL);
    // Quoted: the OSC link's `;` is a separator to spreadsheets in much of Europe.
    expect(csv).toContain(',"Eve\\u001b[2K\\u001b[1A');
    expect(csv).toContain(',"access aks\\u001b[2K');
    expect(csvCell('=1+2')).toBe("'=1+2");
    expect(csvCell('a\tb')).toBe('"a\tb"');
    expect(csvCell('a\r\nb')).toBe('"a\r\nb"');
    expect(csvCell('\u001b=1')).toBe('\\u001b=1');
    expect(entryCsvLine(rawEntry())).not.toMatch(RAW_CONTROL);
  });

  test('JSONL escapes DEL and C1 too, and still parses to the entry as stored, which verifies', async () => {
    const entry = rawEntry();
    const jsonl = await exported([entry], 'jsonl');
    expect(jsonl).not.toMatch(RAW_CONTROL);
    expect(jsonl).toContain('\\u009b2J');
    const back = jsonl
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as AuditEntry);
    expect(back).toEqual([entry]);
    expect(verifyChain(back)).toEqual({ intact: true, count: 1 });
  });

  test("the tab's CSV export (same cells) escapes them too", () => {
    const { rowsCsv } = require('../../web/src/csv') as { rowsCsv(rows: unknown[]): string };
    const row = {
      cluster: { name: 'aks-a', subscriptionId: 's1' },
      registry: { name: 'acr-a', loginServer: 'acr-a.azurecr.io' },
      how: 'acrbot-role',
      howText: 'AcrPull',
      state: 'active',
      reason: `deploy${PLANTED}`,
      approvers: [],
    };
    const csv = rowsCsv([row]);
    expect(csv).not.toMatch(RAW_CONTROL);
    expect(csv).toContain('deploy\\u001b[2K');
  });
});
