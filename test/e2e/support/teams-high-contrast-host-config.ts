/**
 * Teams' high-contrast theme as a host config, built by hand: unlike light and dark, Teams
 * publishes no high-contrast host config (the AdaptiveCards samples have none; the request for one,
 * microsoft/AdaptiveCards#5761, went to Teams and was not done). The colours are those of Teams'
 * own high-contrast palette (Fluent UI Northstar's teams-high-contrast theme): white text on
 * black, accessible yellow (#ffff00), green (#3ff23f), cyan (#1aebff) and red (#ff0000).
 * Every container is black with white text, so a tint carries no meaning here at all: the word
 * must say it (tint.ts). Coloured text takes the palette's colour for its meaning.
 */
const ON_BLACK = {
  default: { default: '#ffffff', subtle: '#ffffff' },
  accent: { default: '#1aebff', subtle: '#1aebff' },
  good: { default: '#3ff23f', subtle: '#3ff23f' },
  warning: { default: '#ffff00', subtle: '#ffff00' },
  attention: { default: '#ff0000', subtle: '#ff0000' },
};
const black = { backgroundColor: '#000000', foregroundColors: ON_BLACK };

/** Host config JSON for `new AdaptiveCards.HostConfig(...)`. */
export const TEAMS_HIGH_CONTRAST_HOST_CONFIG = {
  // As in the light fixture: the renderer's own default heading level, a gap of this config.
  textBlock: { headingLevel: 2 },
  containerStyles: {
    default: black,
    emphasis: black,
    accent: black,
    good: black,
    attention: black,
    warning: black,
  },
};
