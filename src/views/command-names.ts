/**
 * How a command names a request's cluster and registry, for the commands cards suggest (`check`,
 * `grant`, `secret`): shared by the request cards and the ask-again command.
 */
import type { AccessRequest } from '../domain/request';
import { typedPair } from '../domain/typed-names';
import { inertText } from './inert-text';

/**
 * The plan's cluster and registry as a command names them (typed-names.ts `typedPair`: as its
 * requester typed them, else by id). An id or `group/name` holds the resource group's name, which
 * Azure lets anyone who may create groups spell like a host (`www.login.example`): made inert like
 * user text, so it never shows as a link (the copy of such a command then needs that fixed).
 */
export function commandNames(plan: AccessRequest['plan']): string {
  return inertText(typedPair(plan));
}
