/**
 * How a card's title names the request it is about: its id, then its cluster and registry, short.
 * The title is what Teams shows in a notification, the activity feed and a chat's preview
 * (card-summary.ts, cut at 120 characters): two reminders a day apart, or two ends, must not read
 * alike there, and the id must survive the cut, so it comes first. The cluster's resource group
 * and subscription stay in the card's facts: they would push the rest out of the preview.
 */
import type { AccessRequest } from '../domain/request';
import { inertText } from './inert-text';

/**
 * "aks-prod → contosoacr": the pair a request is for, as titles and the refusal of a pair no rule
 * covers name it; made inert like user text (it reaches every reader of the card, and Teams
 * renders card text as markdown).
 */
export function pairText(request: AccessRequest): string {
  return inertText(`${request.plan.cluster.name} → ${request.plan.registry.name}`);
}

/** "R-7K2M9QXA (aks-prod → contosoacr)": a request as a title names it ({@link pairText}). */
export function requestInTitle(request: AccessRequest): string {
  return `${request.id} (${pairText(request)})`;
}
