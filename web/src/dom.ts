/**
 * A tiny element builder. Strings always become text nodes (never HTML), so user text — reasons,
 * names, audit details — is shown as typed and cannot inject markup or script.
 */

/** What an element can hold: nodes, text (never parsed as HTML), or nothing. */
export type Child = Node | string | number | null | undefined | false;

/** Element options. */
export interface ElementOptions {
  class?: string;
  attrs?: Record<string, string | undefined>;
  on?: { [K in keyof HTMLElementEventMap]?: (ev: HTMLElementEventMap[K]) => void };
}

/** Creates an element with text/element children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  options: ElementOptions = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (options.class) el.className = options.class;
  for (const [k, v] of Object.entries(options.attrs ?? {})) if (v !== undefined) el.setAttribute(k, v);
  for (const [k, fn] of Object.entries(options.on ?? {})) el.addEventListener(k, fn as EventListener);
  append(el, ...children);
  return el;
}

/** Appends children; strings as text. */
export function append(parent: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

/** Replaces every child of `parent`. */
export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}
