/**
 * The assignments not made by acrbot through which a cluster can still pull, as cards name them
 * (the requester's end notice, the approvers' end message): the scope by what it is, as the
 * request card's Scope fact names it ("resource group rg-acr", "registry contosoacr itself"), not
 * by its ARM id, which takes several lines at Teams' widths and says no more to a reader. The
 * audit entry keeps the ids ({@link outsidePullWords}): the record is for lookups, the card for
 * people. Pure.
 */
import { scopeLevelOf } from './access-inventory';
import { type OutsidePull, outsidePullWords } from './audit-end-words';
import { lookAlikeWarning } from './look-alike-names';
import type { GrantPlan } from './plan';

/** The registry whose pulls are named: the scope is said relative to it. */
type PullRegistry = Pick<GrantPlan['registry'], 'id' | 'name' | 'subscriptionId' | 'resourceGroup'>;

/** The management group an id names (its last segment), or the tenant root for `/`. */
function managementGroupWords(scope: string): string {
  const name = scope.replace(/\/+$/, '').split('/').pop();
  return name ? `management group ${name}` : 'the root management group';
}

/**
 * "registry contosoacr itself", "resource group rg-acr", "subscription …", "management group mg";
 * a scope that does not cover the registry (none is listed so) as it is. A resource group's name
 * that mixes scripts carries its look-alike warning, as the request card's does.
 */
export function scopeNamed(scope: string, registry: PullRegistry): string {
  switch (scopeLevelOf(scope, registry)) {
    case 'registry':
      return `registry ${registry.name} itself`;
    case 'resourceGroup': {
      const warning = lookAlikeWarning(registry.resourceGroup);
      return `resource group ${registry.resourceGroup}${warning ? ` \u26a0 ${warning}` : ''}`;
    }
    case 'subscription':
      return `subscription ${registry.subscriptionId}`;
    case 'managementGroup':
      return managementGroupWords(scope);
    default:
      return scope;
  }
}

/**
 * One assignment as a card names it: "AcrPull on resource group rg-acr, through a group (object
 * id …)". The group is known by its object id only (the listing reads no directory names).
 */
export function outsidePullCardNamed(p: OutsidePull, registry: PullRegistry): string {
  const group = p.group ? `, through a group (object id ${p.group})` : '';
  return `${p.role} on ${scopeNamed(p.scope, registry)}${group}${p.conditioned ? ' (with a condition)' : ''}`;
}

/**
 * {@link outsidePullWords}' sentence with each assignment named as cards name it
 * ({@link outsidePullCardNamed}); undefined when there is none.
 */
export function outsidePullCardWords(registry: PullRegistry, pulls: readonly OutsidePull[]): string | undefined {
  return outsidePullWords(registry.name, pulls, (p) => outsidePullCardNamed(p, registry));
}
