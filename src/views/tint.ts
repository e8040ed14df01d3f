/**
 * How a card shows a word's colour (a state badge, a title, a verdict, a warning): on a background
 * of that tint, in the body's own text colour, never as coloured text.
 *
 * Why: coloured text is unreadable on a white card where it matters most: Teams' light theme draws
 * Good in #92c353 (2.2:1) and Warning in #f8d22a, the renderer's default host config Warning in
 * #E69500 (2.4:1) and Accent in #2E89FC (3.4:1), and Teams' dark theme Attention in #d74654 on its
 * #2d2c2c card (3.2:1); the body's text colour passes 4.5:1 on every tinted background of each
 * (test/e2e/cards-axe.test.ts draws every card with the default host config and Teams' light, dark
 * and high-contrast colours). The word says what it means; the tint is a second cue, not the only
 * one (in high contrast there is no tint at all).
 */

/** The Adaptive Card colours acrbot gives a word for what it means. */
export type CardColor = 'Good' | 'Warning' | 'Attention' | 'Accent' | 'Default';

/** A container (or column) style: a tinted background, or `default` (none, the text plain). */
export type TintStyle = 'good' | 'warning' | 'attention' | 'accent' | 'default';

const TINT: Record<CardColor, TintStyle> = {
  Good: 'good',
  Warning: 'warning',
  Attention: 'attention',
  Accent: 'accent',
  Default: 'default',
};

/** The style that draws a word meant in `color` (any other value, or none: `default`). */
export function tint(color: string | undefined): TintStyle {
  return TINT[color as CardColor] ?? 'default';
}
