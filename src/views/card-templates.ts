/**
 * Adaptive Card templates from `cards/*.json`, expanded with adaptivecards-templating. Cards
 * are data-driven: handlers build a typed view model, never card JSON.
 */
import { Template } from 'adaptivecards-templating';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The templates in `cards/`. */
export type CardName = 'request' | 'outcome' | 'message' | 'help' | 'grant-form' | 'audit' | 'access' | 'check';

/** Adaptive Card JSON. */
export type AdaptiveCardJson = Record<string, unknown>;

const CARDS_DIR = join(__dirname, '..', '..', 'cards');
const templates = new Map<CardName, Template>();

function template(name: CardName): Template {
  let t = templates.get(name);
  if (!t) {
    t = new Template(JSON.parse(readFileSync(join(CARDS_DIR, `${name}.json`), 'utf8')));
    templates.set(name, t);
  }
  return t;
}

/** Expands a template with data. Values are inserted as text; a `${…}` inside user data is not evaluated. */
export function renderCard(name: CardName, data: object): AdaptiveCardJson {
  return template(name).expand({ $root: data }) as AdaptiveCardJson;
}
