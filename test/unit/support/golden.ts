/**
 * Golden files for rendered cards, under test/golden/cards/: a card rendered from fixed ids,
 * names and times must match its file to the byte, so any change to a card's JSON shows up as a
 * diff in review. `UPDATE_GOLDEN=1` rewrites the files instead (then read the diff).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AdaptiveCardJson } from '../../../src/views/card-templates';

const GOLDEN_DIR = join(__dirname, '..', '..', 'golden', 'cards');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

/** Compares `card` with `test/golden/cards/<name>.json` (or writes it with UPDATE_GOLDEN=1). */
export function expectGolden(name: string, card: AdaptiveCardJson): void {
  const file = join(GOLDEN_DIR, `${name}.json`);
  const actual = `${JSON.stringify(card, null, 2)}\n`;
  if (UPDATE) {
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  if (!existsSync(file))
    throw new Error(`No golden file ${file}; run UPDATE_GOLDEN=1 npx jest test/unit/card-golden and review it`);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}
