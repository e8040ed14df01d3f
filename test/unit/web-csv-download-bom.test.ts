/**
 * The tab's CSV download starts with the audit CLI's byte order mark (`CSV_BOM`, one constant for
 * both), once: Excel opened by double-click then reads the file as UTF-8 ("Zoë", not "ZoÃ«").
 * Node has no DOM: the anchor the download clicks and `URL.createObjectURL` are stood in for.
 */
import { CSV_BOM } from '../../src/audit-cli/csv';

// Loaded with require(): csv.ts offers the download, which needs the DOM lib the root tsconfig has not.
const { download } = require('../../web/src/csv') as { download(name: string, text: string): void };

describe("the tab's CSV download", () => {
  const realCreate = URL.createObjectURL;
  const realRevoke = URL.revokeObjectURL;
  afterEach(() => {
    URL.createObjectURL = realCreate;
    URL.revokeObjectURL = realRevoke;
    delete (globalThis as { document?: unknown }).document;
    jest.useRealTimers();
  });

  test('the file is the BOM, then the text, as UTF-8; the anchor names the file and is clicked', async () => {
    jest.useFakeTimers();
    const blobs: Blob[] = [];
    URL.createObjectURL = (blob: Blob) => (blobs.push(blob), 'blob:csv');
    URL.revokeObjectURL = jest.fn();
    const anchor = { href: '', download: '', click: jest.fn(), remove: jest.fn() };
    (globalThis as { document?: unknown }).document = {
      createElement: () => anchor,
      body: { appendChild: jest.fn() },
    };
    download('access.csv', 'cluster,requester\r\naks-prod,Zoë\r\n');
    expect(anchor).toMatchObject({ href: 'blob:csv', download: 'access.csv' });
    expect(anchor.click).toHaveBeenCalledTimes(1);
    expect(blobs).toHaveLength(1);
    expect(blobs[0].type).toBe('text/csv;charset=utf-8');
    // Read as bytes: Blob.text() would drop a leading BOM as UTF-8 decoding does.
    const bytes = Buffer.from(await blobs[0].arrayBuffer());
    expect(CSV_BOM).toBe('\ufeff');
    expect(bytes.equals(Buffer.from(`${CSV_BOM}cluster,requester\r\naks-prod,Zoë\r\n`, 'utf8'))).toBe(true);
    expect([...bytes.subarray(0, 4)]).toEqual([0xef, 0xbb, 0xbf, 0x63]);
    jest.runAllTimers();
    expect(URL.revokeObjectURL).toHaveBeenCalledWith('blob:csv');
  });
});
