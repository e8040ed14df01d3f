/**
 * A "review owed" badge (format.ts rowBadge, class `review-owed`) is coloured as a warning, not
 * in its state's colours ("Active, review owed" in Active's green read as all is well), with the
 * Expiring badges' colours, legible (WCAG AA, 4.5:1 for its 12 px text) in each of the tab's three
 * themes, and whatever state's class comes with it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const css = readFileSync(join(__dirname, '../../web/styles.css'), 'utf8');

/** The declarations of the rule whose selector list holds `selector` exactly. */
function ruleOf(selector: string): Record<string, string> {
  for (const m of css.matchAll(/([^{}]+)\{([^{}]*)\}/g)) {
    const selectors = m[1]!
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .split(',')
      .map((s) => s.trim());
    if (!selectors.includes(selector)) continue;
    return Object.fromEntries(
      m[2]!
        .split(';')
        .map((d) => d.split(':').map((s) => s.trim()))
        .filter((d) => d.length === 2) as Array<[string, string]>,
    );
  }
  throw new Error(`no rule for ${selector}`);
}

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

test('a review owed is a warning, in the Expiring badges’ colours, over any state’s', () => {
  const owed = ruleOf('.badge.review-owed');
  expect(owed).toMatchObject(ruleOf('.state-expiring'));
  expect(owed.background).toBe('var(--expiring-bg)');
  // Its selector outweighs every state's, the not-listed-yet warning's too (two classes), and comes after them.
  expect(css.indexOf('.badge.review-owed')).toBeGreaterThan(css.indexOf('.state-drifted.not-listed-yet'));
  expect(css.indexOf('.badge.review-owed')).toBeGreaterThan(css.indexOf('.state-pending {'));
});

test.each(['default', 'dark', 'contrast'])('its colours meet 4.5:1 in the %s theme', (theme) => {
  const vars = ruleOf(`body.theme-${theme}`);
  const colour = (v: string) => vars[v.replace(/^var\((.*)\)$/, '$1')]!;
  const owed = ruleOf('.badge.review-owed');
  expect(contrast(colour(owed.color!), colour(owed.background!))).toBeGreaterThanOrEqual(4.5);
});
