/**
 * The configurable tab's configuration page: a channel gets the "Access matrix" with one Save.
 */
import { pages } from '@microsoft/teams-js';
import { h, replace } from './dom';
import type { Host } from './host';

/** Renders the configuration page and registers the save handler with Teams. */
export function renderConfig(root: HTMLElement, host: Host): void {
  replace(
    root,
    h('h1', {}, 'Access matrix'),
    h(
      'p',
      {},
      'Adds a tab that shows which clusters can pull from which registries, how, and until when. Requesters see their own requests; approvers and auditors see everything.',
    ),
  );
  if (!host.inTeams) {
    root.appendChild(
      h('p', { class: 'note' }, 'Open this page from Teams (Add a tab → acrbot) to add the tab to a channel.'),
    );
    return;
  }
  pages.config.registerOnSaveHandler((save) => {
    void pages.config
      .setConfig({
        entityId: 'acrbot-access-matrix',
        contentUrl: `${location.origin}/tabs/matrix`,
        websiteUrl: `${location.origin}/tabs/matrix`,
        suggestedDisplayName: 'Access matrix',
      })
      .then(
        () => save.notifySuccess(),
        (err: Error) => save.notifyFailure(err.message),
      );
  });
  pages.config.setValidityState(true);
}
