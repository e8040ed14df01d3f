/**
 * The colours of Teams' light theme as its published host config gives them (the AdaptiveCards
 * samples' microsoft-teams-light.json), written out here with only what the contrast check needs:
 * a white card, the text colours, and each container style's background with the body's text
 * colour on it. Anything not given keeps the renderer's default (fonts, spacing, subtle colours).
 * Why: Teams' Good (#92c353) and Warning (#f8d22a) are far lighter than the renderer's defaults,
 * so a card can pass the default host config and still be unreadable in Teams.
 */
const TEXT = {
  default: { default: '#252424' },
  accent: { default: '#6264a7' },
  good: { default: '#92c353' },
  warning: { default: '#f8d22a' },
  attention: { default: '#c4314b' },
};
const style = (backgroundColor: string) => ({ backgroundColor, foregroundColors: TEXT });

/** Host config JSON for `new AdaptiveCards.HostConfig(...)`. */
export const TEAMS_LIGHT_HOST_CONFIG = {
  // The renderer's own default: without it a "heading" TextBlock gets no aria-level (axe: critical),
  // which is a gap of this config, not of the cards.
  textBlock: { headingLevel: 2 },
  containerStyles: {
    default: style('#ffffff'),
    emphasis: style('#F9F8F7'),
    accent: style('#C7DEF9'),
    good: style('#CCFFCC'),
    attention: style('#FFC5B2'),
    warning: style('#FFE2B2'),
  },
};
