/**
 * The audit export's CSV as its reader sees it: an RFC 4180 parser, enough to check the export's
 * quoting from the other side (a test that compared text would pass on a CSV no reader splits
 * as meant).
 */

/**
 * The rows of RFC 4180 `text` (CRLF line ends, `""` for a quote inside a quoted cell). A leading
 * byte order mark (the export writes one, for Excel) is read as a reader reads it: as the
 * encoding's mark, not the first header's text.
 */
export function parseCsv(text: string): string[][] {
  if (text.startsWith('\ufeff')) text = text.slice(1);
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  return rows;
}
