/**
 * Server-side printing: the `meta.k8s.io/v1` Table that `kubectl get` (without `-o`) asks for
 * with `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`. Without it kubectl would fall
 * back to bare NAME/AGE columns; with it the output matches a real cluster's.
 */
import type { ResourceDef } from './resources';
import type { KubeObject } from './types';

/** True when the Accept header asks for a Table (v1 or v1beta1) from meta.k8s.io. */
export function wantsTable(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(',').some((part) => {
    const params = part.split(';').map((p) => p.trim());
    return (
      params.includes('as=Table') &&
      params.includes('g=meta.k8s.io') &&
      (params.includes('v=v1') || params.includes('v=v1beta1'))
    );
  });
}

/** apimachinery's duration.HumanDuration, the AGE column format ("5s", "3m12s", "2d4h"...). */
export function humanDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < -1) return '<invalid>';
  if (s < 0) return '0s';
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  if (h < 24 * 8) return h % 24 === 0 ? `${Math.floor(h / 24)}d` : `${Math.floor(h / 24)}d${h % 24}h`;
  if (h < 24 * 365 * 2) return `${Math.floor(h / 24)}d`;
  if (h < 24 * 365 * 8) {
    const days = Math.floor(h / 24);
    return days % 365 === 0 ? `${Math.floor(days / 365)}y` : `${Math.floor(days / 365)}y${days % 365}d`;
  }
  return `${Math.floor(h / 24 / 365)}y`;
}

/**
 * Builds the Table. `includeObject` follows the query parameter: `None`, `Metadata` (default;
 * rows carry a PartialObjectMetadata) or `Object` (rows carry the full object).
 */
export function toTable(
  def: ResourceDef,
  objects: KubeObject[],
  resourceVersion: string,
  now: Date,
  includeObject = 'Metadata',
): object {
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: def.columns.map((c) => ({
      name: c.name,
      type: c.type,
      format: c.format,
      description: c.description,
      priority: 0,
    })),
    rows: objects.map((o) => {
      const created = o.metadata.creationTimestamp ? Date.parse(o.metadata.creationTimestamp) : now.getTime();
      const age = humanDuration(now.getTime() - created);
      const row: Record<string, unknown> = { cells: def.columns.map((c) => c.cell(o, age)) };
      if (includeObject === 'Object') row.object = { kind: def.kind, apiVersion: 'v1', ...o };
      else if (includeObject !== 'None')
        row.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
      return row;
    }),
  };
}
