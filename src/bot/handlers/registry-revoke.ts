/**
 * `revoke registry NAME REASON…` (approvers), for a suspected leak: one confirmation card for
 * every active acrbot request (grants and pull secrets) on one registry, from every cluster of
 * the asker's tenant, instead of one `revoke CLUSTER REGISTRY` per pair. Built as the pair's is
 * (revoke-scope.ts): the same authority (the rules this approver approves), the same preview
 * taken together, the same button and revocation path as one request's revoke; its click reads
 * the registry again and redraws the card when what it listed changed.
 */
import { UserFacingError } from '../../domain/errors';
import { parseRegistryRef } from '../../domain/names';
import type { AccessRequest } from '../../domain/request';
import { revocationFingerprint } from '../../domain/revocation-fingerprint';
import type { AdaptiveCardJson } from '../../views/card-templates';
import { revokeRegistryConfirmCard } from '../../views/registry-revoke-view';
import type { BotServices } from '../bot-services';
import type { TurnIdentity } from '../turn-identity';
import * as shared from './revoke-scope';

/** A registry as the card names it: its id (for the reads) and name. */
type Registry = { id: string; name: string };

/** `revoke registry NAME`: its card, and the check its click makes before acting. */
export class RegistryRevoke {
  constructor(private readonly services: BotServices) {}

  /**
   * The confirmation card of `revoke registry NAME REASON…`, or throws why not: no name,
   * someone who is no approver (audited), a name that is no registry (the resolver's error). `checkedReason` is judged only once the registry resolves,
   * so a mistyped name is answered as such, not as a too-short reason.
   */
  async preview(
    identity: TurnIdentity,
    name: string | undefined,
    checkedReason: () => string | undefined,
  ): Promise<AdaptiveCardJson> {
    if (!name)
      throw new UserFacingError(
        'validation.usage',
        'Say which registry: "revoke registry REGISTRY REASON…" (the reason optional) revokes what you may on it, from every cluster.',
      );
    await shared.refuseUnlessApprover(this.services, identity, 'a registry', ['registry', name]);
    const registry = await this.services.lifecycle.resolver.resolveRegistry(parseRegistryRef(name));
    return this.card(identity, registry, checkedReason());
  }

  /**
   * The card a click on a registry's card (its fingerprint says so) would get now, when it
   * differs from the one clicked: `drawn`, its fingerprint, and `ids`, the requests it carried.
   * The registry is the first of `allowed` (those of the click this approver may revoke now);
   * a request started on it since, from any cluster, or one ended or changed, redraws it, and so
   * does a forged card mixing registries (its ids are not the registry's). Undefined when
   * nothing changed, or when the actor is no approver (the click then refuses each request).
   */
  async redrawnIfChanged(
    identity: TurnIdentity,
    ids: readonly string[],
    allowed: readonly AccessRequest[],
    drawn: string | number,
    reason: string | undefined,
  ): Promise<AdaptiveCardJson | undefined> {
    const { requests, lifecycle } = this.services;
    if (!(await requests.isApprover(identity.actor))) return undefined;
    const { registry } = allowed[0]!.plan;
    const { mine, listings } = await this.targets(identity, registry.id);
    const unchanged =
      shared.sameIds(ids, mine) &&
      revocationFingerprint(await lifecycle.flow.previewTogether(mine, listings), 'registry') === drawn;
    return unchanged ? undefined : this.card(identity, registry, reason, true);
  }

  /** The registry's active requests, and which this approver may revoke (revocableOf). */
  private async targets(identity: TurnIdentity, registryId: string): Promise<shared.Revocable> {
    return shared.revocableOf(this.services, identity, await this.services.lifecycle.flow.activeOnRegistry(registryId));
  }

  /** The card for `registry` as it is now; `changed`: drawn again by a click on an older copy. */
  private async card(
    identity: TurnIdentity,
    registry: Registry,
    reason: string | undefined,
    changed = false,
  ): Promise<AdaptiveCardJson> {
    const { lifecycle, settings } = this.services;
    return shared.severalRevokeCard(this.services, identity, {
      targets: this.targets(identity, registry.id),
      waitingRead: () => lifecycle.flow.waitingOnRegistry(registry.id),
      waitingFailed: "revoke: the registry's requests not run yet could not be read to name them",
      where: `on ${registry.name}`,
      // Its requests not read are reached a pair at a time (each pair's read is its own) or one by one.
      cutInstead: `revoke them per cluster ("@acrbot revoke CLUSTER ${registry.name}") or one at a time ("@acrbot revoke REQUEST-ID").`,
      nothingText: (elsewhere) => nothingActiveText(registry, elsewhere),
      confirm: (notes, previews, elsewhere) =>
        revokeRegistryConfirmCard(
          { registry: registry.name, sandbox: settings.sandbox, reason, changed, otherTenants: elsewhere, ...notes },
          previews,
        ),
    });
  }
}

/**
 * Why a registry with no active acrbot request of the asker's tenant has nothing to revoke:
 * another tenant's are that tenant's (counted, not named); access granted outside acrbot is not
 * acrbot's, and `access NAME` lists what can pull from it.
 */
function nothingActiveText(registry: Registry, elsewhere: number): string {
  const outside = `access granted outside acrbot is not acrbot's to revoke ("@acrbot access ${registry.name}" lists every cluster that can pull from it).`;
  return elsewhere
    ? `acrbot has no active grant or pull secret on ${registry.name} for a request of your organisation (tenant); ${elsewhere} of another tenant ${elsewhere === 1 ? 'is' : 'are'} not revoked from here, and ${outside}`
    : `acrbot has no active grant or pull secret on ${registry.name}; ${outside}`;
}
