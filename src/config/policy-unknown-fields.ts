/**
 * What the policy file says of a field it does not know: the known field of that map closest in
 * spelling (`maxDuraton` → maxDuration), a flat name for a nested one (`approverGroup` →
 * `approvers: { groups: [...] }`, as the ACRBOT_APPROVER_GROUP setting is written), or YAML 1.1's
 * merge key, which is plain text under the YAML 1.2 the file is read as. An unknown field is
 * refused (a typo must not silently widen a rule); this only says what to write instead.
 */
import { z } from 'zod/v3';
import { nearest } from './unknown-settings';

/** The schema under optional, default and transform wrappers. */
function unwrapped(schema: z.ZodTypeAny): z.ZodTypeAny {
  let current = schema;
  for (;;) {
    if (current instanceof z.ZodOptional || current instanceof z.ZodNullable) current = current.unwrap();
    else if (current instanceof z.ZodDefault) current = current.removeDefault();
    else if (current instanceof z.ZodEffects) current = current.innerType();
    else return current;
  }
}

/** The fields of the map `schema` describes at `path` (list indexes stepped over); [] where none is known. */
export function knownFieldsAt(schema: z.ZodTypeAny, path: readonly PropertyKey[]): string[] {
  let current = unwrapped(schema);
  for (const key of path) {
    if (current instanceof z.ZodArray && typeof key === 'number') current = unwrapped(current.element);
    else if (current instanceof z.ZodObject && typeof key === 'string' && key in current.shape)
      current = unwrapped(current.shape[key] as z.ZodTypeAny);
    else return [];
  }
  return current instanceof z.ZodObject ? Object.keys(current.shape) : [];
}

/** A rule's flat names for approvers' lists: `approverGroup`, `aprover_groups`, `approverUsers`. */
const FLAT_APPROVERS = /^ap+rov\w*?(group|user)s?$/i;

/** The message for the unknown field `key` of a map whose fields are `known`. */
export function unknownFieldMessage(key: string, known: readonly string[]): string {
  if (key === '<<')
    return 'unknown field: << merges maps only in YAML 1.1; start the file with %YAML 1.1, or repeat the fields (or use an alias, field: *anchor)';
  const flat = FLAT_APPROVERS.exec(key.replace(/[^A-Za-z]/g, ''));
  if (flat && known.includes('approvers'))
    return `unknown field: write approvers: { ${flat[1].toLowerCase()}s: ["<object id>"] }`;
  const near = nearest(key, known);
  return near && near !== key ? `unknown field: did you mean ${near}?` : 'unknown field (check the spelling)';
}
