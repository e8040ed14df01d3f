/**
 * The colours of Teams' dark theme as its published host config gives them (the AdaptiveCards
 * samples' microsoft-teams-dark.json), with only what the contrast check needs, as
 * teams-light-host-config.ts does for the light theme. Colours there are #AARRGGBB; the renderer
 * turns those into rgba(), so they are kept as given (the subtle text is white at 75%).
 * Why: on the dark card (#2d2c2c) the coloured text is light but Attention (#d74654) is not light
 * enough for normal-size text (3.3:1), while the tinted styles keep their pale light-theme
 * backgrounds with near-black text: a card can pass light and still fail here.
 */
const ON_DARK = {
  default: { default: '#ffffffff', subtle: '#bfffffff' },
  accent: { default: '#ffa6a7dc', subtle: '#ff8b8cc7' },
  good: { default: '#ff92c353', subtle: '#e592c353' },
  warning: { default: '#fff8d22a', subtle: '#e5f8d22a' },
  attention: { default: '#ffd74654', subtle: '#e5d74654' },
};
/** The tinted styles' text: near-black body text, the coloured text as on the dark card. */
const ON_TINT = { ...ON_DARK, default: { default: '#ff201f1f', subtle: '#ff2d2c2c' } };

/** Host config JSON for `new AdaptiveCards.HostConfig(...)`. */
export const TEAMS_DARK_HOST_CONFIG = {
  // As in the light fixture: the renderer's own default heading level, a gap of this config.
  textBlock: { headingLevel: 2 },
  containerStyles: {
    default: { backgroundColor: '#ff2d2c2c', foregroundColors: ON_DARK },
    emphasis: { backgroundColor: '#ff292828', foregroundColors: ON_DARK },
    accent: { backgroundColor: '#C7DEF9', foregroundColors: ON_TINT },
    good: { backgroundColor: '#CCFFCC', foregroundColors: ON_TINT },
    attention: { backgroundColor: '#FFC5B2', foregroundColors: ON_TINT },
    warning: { backgroundColor: '#FFE2B2', foregroundColors: ON_TINT },
  },
};
