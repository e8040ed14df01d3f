/**
 * Role assignments, indexed. Benchmarks run thousands of grant flows against one emulator, and
 * each flow checks for an existing assignment (listForScope `atScope()`) and creates one; scanning
 * every assignment each time would make a run quadratic. So assignments are indexed by name
 * (unique across scopes, as in ARM), by scope, by principal and by (scope, role, principal).
 */
import { idKey } from './arm-ids';
import type { RoleAssignmentRecord } from './role-assignments';
import { roleDefinitionGuid } from './role-definitions';

interface Entry {
  record: RoleAssignmentRecord;
  scopeKey: string;
  identityKey: string;
}

/** The emulator's role assignments. */
export class RoleAssignmentStore {
  private readonly byName = new Map<string, Entry>();
  private readonly byScope = new Map<string, Set<string>>();
  private readonly byPrincipal = new Map<string, Set<string>>();
  private readonly byIdentity = new Map<string, string>();

  get size(): number {
    return this.byName.size;
  }

  /** By assignment name (a GUID, any case). */
  get(name: string): RoleAssignmentRecord | undefined {
    return this.byName.get(name.toLowerCase())?.record;
  }

  /** Adds or replaces an assignment. */
  set(record: RoleAssignmentRecord): void {
    this.delete(record.name);
    const name = record.name.toLowerCase();
    const scopeKey = idKey(record.scope);
    const identityKey = identity(
      scopeKey,
      roleDefinitionGuid(record.roleDefinitionId) ?? record.roleDefinitionId,
      record.principalId,
    );
    this.byName.set(name, { record, scopeKey, identityKey });
    add(this.byScope, scopeKey, name);
    add(this.byPrincipal, record.principalId.toLowerCase(), name);
    this.byIdentity.set(identityKey, name);
  }

  /** Removes an assignment by name; false when there was none. */
  delete(name: string): boolean {
    const key = name.toLowerCase();
    const entry = this.byName.get(key);
    if (!entry) return false;
    this.byName.delete(key);
    this.byScope.get(entry.scopeKey)?.delete(key);
    this.byPrincipal.get(entry.record.principalId.toLowerCase())?.delete(key);
    this.byIdentity.delete(entry.identityKey);
    return true;
  }

  clear(): void {
    this.byName.clear();
    this.byScope.clear();
    this.byPrincipal.clear();
    this.byIdentity.clear();
  }

  /** Every assignment, in creation order. */
  values(): RoleAssignmentRecord[] {
    return [...this.byName.values()].map((e) => e.record);
  }

  /** The assignment of `roleGuid` to `principalId` at exactly `scope`, if any. */
  findSame(scope: string, roleGuid: string, principalId: string): RoleAssignmentRecord | undefined {
    const name = this.byIdentity.get(identity(idKey(scope), roleGuid, principalId));
    return name === undefined ? undefined : this.get(name);
  }

  /** Assignments at `scope` or any of its parents (what `atScope()` returns). */
  atOrAbove(scope: string): RoleAssignmentRecord[] {
    const key = idKey(scope);
    const ancestors = ['/'];
    let i = 0;
    while ((i = key.indexOf('/', i + 1)) > 0) ancestors.push(key.slice(0, i));
    if (key !== '/') ancestors.push(key);
    return this.named(ancestors.flatMap((a) => [...(this.byScope.get(a) ?? [])]));
  }

  /** Assignments of one principal, anywhere. */
  forPrincipal(principalId: string): RoleAssignmentRecord[] {
    return this.named([...(this.byPrincipal.get(principalId.toLowerCase()) ?? [])]);
  }

  private named(names: string[]): RoleAssignmentRecord[] {
    return names.map((n) => this.byName.get(n)!.record);
  }
}

function identity(scopeKey: string, roleGuid: string, principalId: string): string {
  return `${scopeKey}|${roleGuid.toLowerCase()}|${principalId.toLowerCase()}`;
}

function add(index: Map<string, Set<string>>, key: string, name: string): void {
  let set = index.get(key);
  if (!set) index.set(key, (set = new Set()));
  set.add(name);
}
