/**
 * Authorization for the emulator: everything is allowed unless a test denies it. Deny rules
 * stand in for a missing Role/RoleBinding (or, on AKS with Azure RBAC, a missing role
 * assignment) and produce the exact 403 the real authorizer chain produces, so the bot's
 * "you lack rights in namespace X" path can be exercised.
 */
import { forbidden, type StatusError } from './status';
import type { ResourceName, Verb } from './types';

/** A deny rule. Omitted fields match anything. */
export interface DenyRule {
  /** Username (as mapped from the bearer token). */
  user?: string;
  /** Namespace of the request. For a namespace object itself this is its own name, as in Kubernetes. */
  namespace?: string;
  resource?: ResourceName | '*';
  /** One verb, several, or `'*'`. */
  verb?: Verb | Verb[] | '*';
  /** Object name (only matches requests that name an object). */
  name?: string;
  /**
   * Optional authorizer reason appended after a colon, as webhook authorizers do, e.g. AKS's
   * `User does not have access to the resource in Azure. Update role assignment to allow access.`
   */
  reason?: string;
}

/** The attributes of one request that authorization looks at (authorizer.Attributes). */
export interface AuthzAttributes {
  user: string;
  verb: Verb;
  resource: ResourceName;
  namespace?: string;
  name?: string;
}

/** The deny-rule set. One per emulator, reachable as `emulator.rbac`. */
export class Rbac {
  private rules: DenyRule[] = [];

  /** Adds a deny rule; returns a function that removes it again. */
  deny(rule: DenyRule): () => void {
    const r = { ...rule };
    this.rules.push(r);
    return () => {
      this.rules = this.rules.filter((x) => x !== r);
    };
  }

  /** Removes every deny rule (back to allow-all). */
  reset(): void {
    this.rules = [];
  }

  /** The current rules (copies). */
  list(): DenyRule[] {
    return this.rules.map((r) => ({ ...r }));
  }

  /** Returns the 403 to send, or undefined when the request is allowed. */
  check(a: AuthzAttributes): StatusError | undefined {
    const rule = this.rules.find((r) => matches(r, a));
    if (!rule) return undefined;
    return forbidden(a.resource, a.name, forbiddenMessage(a, rule.reason));
  }
}

function matches(r: DenyRule, a: AuthzAttributes): boolean {
  if (r.user !== undefined && r.user !== a.user) return false;
  if (r.namespace !== undefined && r.namespace !== (a.namespace ?? '')) return false;
  if (r.resource !== undefined && r.resource !== '*' && r.resource !== a.resource) return false;
  if (r.name !== undefined && r.name !== a.name) return false;
  if (r.verb !== undefined && r.verb !== '*') {
    const verbs = Array.isArray(r.verb) ? r.verb : [r.verb];
    if (!verbs.includes(a.verb)) return false;
  }
  return true;
}

/**
 * errors.NewForbidden around the authorizer's forbiddenMessage:
 * `secrets "x" is forbidden: User "u" cannot get resource "secrets" in API group "" in the namespace "ns"`.
 * Without a name (create, list) the resource stands alone: `secrets is forbidden: ...`.
 */
export function forbiddenMessage(a: AuthzAttributes, reason?: string): string {
  const scope = a.namespace ? `in the namespace ${JSON.stringify(a.namespace)}` : 'at the cluster scope';
  let why = `User ${JSON.stringify(a.user)} cannot ${a.verb} resource ${JSON.stringify(a.resource)} in API group "" ${scope}`;
  if (reason) why += `: ${reason}`;
  const subject = a.name ? `${a.resource} ${JSON.stringify(a.name)}` : a.resource;
  return `${subject} is forbidden: ${why}`;
}
