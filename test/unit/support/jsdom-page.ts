/**
 * The tab's page in jsdom (a devDependency) for unit tests of web/src: an empty page with its
 * `<main id="app">`, set up as the page's globals (`document`, `HTMLElement`) and taken down after
 * the file, with `fetch` put back. The page's modules read those globals, so they are loaded with
 * require() after this call: the root tsconfig has no DOM lib, the web code is type-checked by
 * web/tsconfig.json (`npm run typecheck`), not here. Hence `any` for the window.
 */

/** Sets the page up for this test file (call at the top, before requiring web/src modules); returns its window. */
export function useJsdomPage(): { window: any } {
  const { JSDOM } = require('jsdom') as { JSDOM: new (html: string) => { window: any } };
  const { window } = new JSDOM('<!doctype html><html><body><main id="app"></main></body></html>');
  // jsdom has no modal dialogs: opening one only needs to mark it open here.
  window.HTMLDialogElement.prototype.showModal = function (this: { open: boolean }) {
    this.open = true;
  };
  const realFetch = globalThis.fetch;
  Object.assign(globalThis, { document: window.document, HTMLElement: window.HTMLElement });
  afterAll(async () => {
    // Moving the focus makes jsdom queue a 0 ms "selectionchange" timer; it runs before this one,
    // not after the document is gone.
    await new Promise((r) => setTimeout(r, 0));
    delete (globalThis as { document?: unknown }).document;
    delete (globalThis as { HTMLElement?: unknown }).HTMLElement;
    globalThis.fetch = realFetch;
    window.close();
  });
  return { window };
}
