/**
 * `labelSelector` and `fieldSelector` list filters, equality-based forms only
 * (`k=v`, `k==v`, `k!=v`, `k`, `!k`), which is what kubectl `-l`/`--field-selector` and the
 * client libraries send for simple filters. Set-based selectors are a 400 rather than silently
 * matching everything.
 */
import { badRequest } from './status';
import type { KubeObject } from './types';

type Requirement = { key: string; op: '=' | '!=' | 'exists' | '!exists'; value?: string };

function parse(selector: string, kind: 'label' | 'field'): Requirement[] {
  return selector
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((term) => {
      let m = /^([^=!\s]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
      if (m) return { key: m[1], op: m[2] === '!=' ? '!=' : '=', value: m[3] } as Requirement;
      if (kind === 'label') {
        m = /^(!?)([A-Za-z0-9_./-]+)$/.exec(term);
        if (m) return { key: m[2], op: m[1] ? '!exists' : 'exists' } as Requirement;
      }
      throw badRequest(
        `unable to parse requirement: ${kind === 'field' ? 'invalid field selector' : 'found unsupported selector'}: ${term}`,
      );
    });
}

function fieldValue(obj: KubeObject, key: string): string | undefined {
  switch (key) {
    case 'metadata.name':
      return obj.metadata.name;
    case 'metadata.namespace':
      return obj.metadata.namespace ?? '';
    case 'type':
      return typeof obj.type === 'string' ? obj.type : undefined;
    case 'status.phase': {
      const status = obj.status as { phase?: string } | undefined;
      return status?.phase;
    }
    default:
      throw badRequest(`"${key}" is not a known field selector: only "metadata.name", "metadata.namespace"`);
  }
}

/** Returns a predicate for the `labelSelector` and `fieldSelector` query parameters. */
export function selectorFilter(labelSelector: string | null, fieldSelector: string | null): (o: KubeObject) => boolean {
  const labels = labelSelector ? parse(labelSelector, 'label') : [];
  const fields = fieldSelector ? parse(fieldSelector, 'field') : [];
  return (o) => {
    const l = o.metadata.labels ?? {};
    const labelOk = labels.every((r) => {
      const has = Object.prototype.hasOwnProperty.call(l, r.key);
      if (r.op === 'exists') return has;
      if (r.op === '!exists') return !has;
      return r.op === '=' ? has && l[r.key] === r.value : !has || l[r.key] !== r.value;
    });
    return (
      labelOk &&
      fields.every((r) => (r.op === '=' ? fieldValue(o, r.key) === r.value : fieldValue(o, r.key) !== r.value))
    );
  };
}
