/**
 * Adaptive Card templates from `cards/*.json`, each compiled once (card-compiler.ts) on first
 * use. Cards are data-driven: handlers build a typed view model, never card JSON.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileCard } from './card-compiler';

/** The templates in `cards/`. */
export type CardName =
  'request' | 'outcome' | 'message' | 'help' | 'grant-form' | 'audit' | 'access' | 'check' | 'lifecycle' | 'pause';

/** Adaptive Card JSON. */
export type AdaptiveCardJson = Record<string, unknown>;

/** Where the templates are (also read by the card tests). */
export const CARDS_DIR = join(__dirname, '..', '..', 'cards');
const compiled = new Map<CardName, (data: object) => AdaptiveCardJson>();

function template(name: CardName): (data: object) => AdaptiveCardJson {
  let render = compiled.get(name);
  if (!render) {
    render = compileCard(JSON.parse(readFileSync(join(CARDS_DIR, `${name}.json`), 'utf8')));
    compiled.set(name, render);
  }
  return render;
}

/** Expands a template with data. Values are inserted as text; a `${…}` inside user data is not evaluated. */
export function renderCard(name: CardName, data: object): AdaptiveCardJson {
  return template(name)(data);
}
