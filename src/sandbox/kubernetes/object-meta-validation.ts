/**
 * The part of ValidateObjectMeta every resource shares beyond its name: `metadata.labels` and
 * `metadata.annotations` (k8s.io/apimachinery meta/v1/validation ValidateLabels and
 * api/validation ValidateAnnotations, v1.31 wording). A real API server refuses a bad label key
 * or value, or annotations over 256 KiB, with 422 Invalid on create, update and patch alike, so
 * a client writing labels it builds from user input (a request id, a namespace) finds out here
 * rather than on its first real cluster. Keys and values that are not strings fail earlier, while
 * the body is decoded (400), as Go's decoder refuses them.
 */
import { badRequest, type FieldError } from './status';
import type { KubeObject } from './types';
import { dns1123SubdomainErrors, validateName } from './validation';

const QUALIFIED_NAME = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const QUALIFIED_NAME_MSG =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE = `(${QUALIFIED_NAME})?`;
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

/** Largest total of annotation keys and values, in bytes (TotalAnnotationSizeLimitB). */
export const MAX_ANNOTATION_BYTES = 256 * 1024;

/** validation.RegexError, as validation.ts renders it (the double space before "or" is Go's). */
function regexError(msg: string, re: string, ...examples: string[]): string {
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(' or ')}regex used for validation is '${re}')`;
}

/** IsQualifiedName: an optional DNS-subdomain prefix and `/`, then a name of at most 63 characters. */
export function qualifiedNameErrors(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0]!;
  } else if (parts.length === 2) {
    const prefix = parts[0]!;
    name = parts[1]!;
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else errs.push(...dns1123SubdomainErrors(prefix).map((m) => `prefix part ${m}`));
  } else {
    return [
      `a qualified name ${regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push('name part must be no more than 63 characters');
  if (!new RegExp(`^${QUALIFIED_NAME}$`).test(name))
    errs.push(`name part ${regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME, 'MyName', 'my.name', '123-abc')}`);
  return errs;
}

/** IsValidLabelValue: empty, or at most 63 of alphanumerics, `-`, `_`, `.`, alphanumeric at both ends. */
export function labelValueErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push('must be no more than 63 characters');
  if (!new RegExp(`^${LABEL_VALUE}$`).test(value))
    errs.push(regexError(LABEL_VALUE_MSG, LABEL_VALUE, 'MyValue', 'my_value', '12345'));
  return errs;
}

/** A `map[string]string` member of ObjectMeta as Go decodes it: 400 for anything but strings. */
function stringMap(kind: string, field: 'labels' | 'annotations', value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  const refuse = (what: string, goType: string) =>
    badRequest(
      `${kind} in version "v1" cannot be handled as a ${kind}: json: cannot unmarshal ${what} into Go struct field ObjectMeta.metadata.${field} of type ${goType}`,
    );
  if (typeof value !== 'object' || Array.isArray(value))
    throw refuse(Array.isArray(value) ? 'array' : goJsonType(value), 'map[string]string');
  for (const v of Object.values(value as object)) {
    if (v !== null && typeof v !== 'string') throw refuse(goJsonType(v), 'string');
  }
  return value as Record<string, string>;
}

function goJsonType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v === 'object' ? 'object' : typeof v;
}

/**
 * ValidateObjectMeta for `obj` of `kind`: the name by `nameRule`, then ValidateLabels and
 * ValidateAnnotations, in the order the real validator appends them (each label's key, then its
 * value; then annotation keys, then their size). Throws the 400 of a non-string key or value.
 */
export function validateObjectMeta(kind: string, obj: KubeObject, nameRule: (v: string) => string[]): FieldError[] {
  const errs = validateName(obj.metadata.name, nameRule);
  const labels = stringMap(kind, 'labels', obj.metadata.labels);
  for (const [key, value] of Object.entries(labels)) {
    for (const detail of qualifiedNameErrors(key))
      errs.push({ type: 'FieldValueInvalid', field: 'metadata.labels', value: key, detail });
    for (const detail of labelValueErrors(value ?? ''))
      errs.push({ type: 'FieldValueInvalid', field: 'metadata.labels', value: value ?? '', detail });
  }
  const annotations = stringMap(kind, 'annotations', obj.metadata.annotations);
  let total = 0;
  for (const [key, value] of Object.entries(annotations)) {
    // The rule is a qualified name whatever the case, so the key is checked in lower case.
    for (const detail of qualifiedNameErrors(key.toLowerCase()))
      errs.push({ type: 'FieldValueInvalid', field: 'metadata.annotations', value: key, detail });
    total += Buffer.byteLength(key) + Buffer.byteLength(value ?? '');
  }
  if (total > MAX_ANNOTATION_BYTES)
    errs.push({
      type: 'FieldValueTooLong',
      field: 'metadata.annotations',
      detail: `must have at most ${MAX_ANNOTATION_BYTES} bytes`,
    });
  return errs;
}
