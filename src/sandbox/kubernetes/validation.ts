/**
 * Object validation with the API server's rules and messages (pkg/apis/core/validation and
 * k8s.io/apimachinery/pkg/util/validation), for the three resources the emulator serves.
 * Messages are copied in form so a client that shows `err.body.message` reads what it would
 * read from a real cluster.
 */
import { badRequest, type FieldError } from './status';
import type { KubeObject } from './types';

const DNS1123_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN = `${DNS1123_LABEL}(\\.${DNS1123_LABEL})*`;
const CONFIG_KEY = '[-._a-zA-Z0-9]+';

/** validation.RegexError: "msg (e.g. 'a',  or 'b', regex used for validation is 're')". The double space is Go's. */
function regexError(msg: string, re: string, ...examples: string[]): string {
  let out = `${msg} (e.g. `;
  examples.forEach((ex, i) => {
    if (i > 0) out += ' or ';
    out += `'${ex}', `;
  });
  return `${out}regex used for validation is '${re}')`;
}

/** A DNS name rule of apimachinery's validation: a length limit and a pattern, with its message. */
function dnsNameErrors(
  value: string,
  rule: { maxLength: number; pattern: string; what: string; examples: string[] },
): string[] {
  const errs: string[] = [];
  if (value.length > rule.maxLength) errs.push(`must be no more than ${rule.maxLength} characters`);
  if (!new RegExp(`^${rule.pattern}$`).test(value)) errs.push(regexError(rule.what, rule.pattern, ...rule.examples));
  return errs;
}

/** IsDNS1123Subdomain: the rule for Secret and ServiceAccount names. Returns error messages (empty = valid). */
export function dns1123SubdomainErrors(value: string): string[] {
  return dnsNameErrors(value, {
    maxLength: 253,
    pattern: DNS1123_SUBDOMAIN,
    what: "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
    examples: ['example.com'],
  });
}

/** IsDNS1123Label: the rule for Namespace names. */
export function dns1123LabelErrors(value: string): string[] {
  return dnsNameErrors(value, {
    maxLength: 63,
    pattern: DNS1123_LABEL,
    what: "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
    examples: ['my-name', '123-abc'],
  });
}

/** ValidateObjectMeta's name checks. */
export function validateName(name: string | undefined, rule: (v: string) => string[]): FieldError[] {
  if (!name)
    return [{ type: 'FieldValueRequired', field: 'metadata.name', detail: 'name or generateName is required' }];
  return rule(name).map((detail) => ({ type: 'FieldValueInvalid', field: 'metadata.name', value: name, detail }));
}

/** Decodes standard, padded base64 strictly, like Go's encoding/base64 StdEncoding; returns undefined when invalid. */
export function decodeBase64Strict(value: string): Buffer | undefined {
  if (value.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) return undefined;
  return Buffer.from(value, 'base64');
}

/** Index Go reports in "illegal base64 data at input byte N" (first bad character, or the length when only padding is off). */
function illegalBase64Offset(value: string): number {
  const bad = value.search(/[^A-Za-z0-9+/=]/);
  if (bad >= 0) return bad;
  const pad = value.indexOf('=');
  if (pad >= 0 && !/^=*$/.test(value.slice(pad))) return pad;
  return value.length - (value.length % 4);
}

/**
 * What the real server does while decoding a v1 Secret: `data` values must be base64 (else the
 * whole request is a 400, before validation), and `stringData` is folded into `data` and dropped.
 * Mutates and returns `secret`.
 */
export function normaliseSecretInput(secret: KubeObject): KubeObject {
  const data = secret.data;
  if (data !== undefined && data !== null) {
    if (typeof data !== 'object' || Array.isArray(data)) {
      throw badRequest(
        `Secret in version "v1" cannot be handled as a Secret: json: cannot unmarshal ${jsonTypeName(data)} into Go struct field Secret.data of type map[string][]uint8`,
      );
    }
    for (const value of Object.values(data)) {
      if (value === null) continue;
      if (typeof value !== 'string' || !decodeBase64Strict(value)) {
        const offset = typeof value === 'string' ? illegalBase64Offset(value) : 0;
        throw badRequest(
          `Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte ${offset}`,
        );
      }
    }
  }
  const stringData = secret.stringData;
  if (stringData && typeof stringData === 'object' && !Array.isArray(stringData)) {
    const merged = { ...((data as Record<string, string> | undefined) ?? {}) };
    for (const [key, value] of Object.entries(stringData))
      merged[key] = Buffer.from(String(value ?? ''), 'utf8').toString('base64');
    secret.data = merged;
  }
  delete secret.stringData;
  if (!secret.type) secret.type = 'Opaque';
  return secret;
}

function jsonTypeName(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  return typeof v === 'object' ? 'object' : typeof v;
}

/** Secret size limit enforced by ValidateSecret (total of decoded data). */
export const MAX_SECRET_BYTES = 1024 * 1024;

/**
 * IsConfigMapKey: the rule for Secret data keys. One message per broken rule, as the real
 * validator reports each as its own error: length, characters, and the path-like `.`, `..`
 * and `..`-prefixed keys a volume mount would turn into directory traversal.
 */
export function configKeyErrors(key: string): string[] {
  const errs: string[] = [];
  if (key.length > 253) errs.push('must be no more than 253 characters');
  if (!new RegExp(`^${CONFIG_KEY}$`).test(key))
    errs.push(
      regexError(
        "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
        CONFIG_KEY,
        'key.name',
        'KEY_NAME',
        'key-name',
      ),
    );
  if (key === '.') errs.push("must not be '.'");
  else if (key === '..') errs.push("must not be '..'");
  else if (key.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

/**
 * ValidateSecret (create) plus ValidateSecretUpdate when `old` is given, after ObjectMeta
 * (name, labels, annotations: object-meta-validation.ts, which resources.ts runs first).
 */
export function validateSecret(secret: KubeObject, old?: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const data = (secret.data ?? {}) as Record<string, string | null>;
  let total = 0;
  for (const [key, value] of Object.entries(data)) {
    for (const detail of configKeyErrors(key))
      errs.push({ type: 'FieldValueInvalid', field: `data[${key}]`, value: key, detail });
    total += value ? Buffer.from(value, 'base64').length : 0;
  }
  if (total > MAX_SECRET_BYTES)
    errs.push({ type: 'FieldValueTooLong', field: 'data', detail: `must have at most ${MAX_SECRET_BYTES} bytes` });
  errs.push(...validateSecretType(secret, data));
  if (old) {
    if (old.type !== secret.type)
      errs.push({ type: 'FieldValueInvalid', field: 'type', value: String(secret.type), detail: 'field is immutable' });
    if (old.immutable === true) {
      if (JSON.stringify(old.data ?? {}) !== JSON.stringify(secret.data ?? {})) {
        errs.push({ type: 'FieldValueForbidden', field: 'data', detail: 'field is immutable when `immutable` is set' });
      }
      if (secret.immutable !== true)
        errs.push({
          type: 'FieldValueForbidden',
          field: 'immutable',
          detail: 'field is immutable when `immutable` is set',
        });
    }
  }
  return errs;
}

/** The per-type required keys and content checks of ValidateSecret. */
function validateSecretType(secret: KubeObject, data: Record<string, string | null>): FieldError[] {
  const has = (k: string): boolean => Object.prototype.hasOwnProperty.call(data, k);
  const required = (k: string): FieldError => ({ type: 'FieldValueRequired', field: `data[${k}]` });
  switch (secret.type) {
    case 'kubernetes.io/dockerconfigjson':
      return has('.dockerconfigjson')
        ? dockerConfigErrors('.dockerconfigjson', data['.dockerconfigjson'])
        : [required('.dockerconfigjson')];
    case 'kubernetes.io/dockercfg':
      return has('.dockercfg') ? dockerConfigErrors('.dockercfg', data['.dockercfg']) : [required('.dockercfg')];
    case 'kubernetes.io/tls':
      return [...(has('tls.crt') ? [] : [required('tls.crt')]), ...(has('tls.key') ? [] : [required('tls.key')])];
    case 'kubernetes.io/basic-auth':
      return has('username') || has('password') ? [] : [required('username'), required('password')];
    case 'kubernetes.io/ssh-auth':
      return has('ssh-privatekey') ? [] : [required('ssh-privatekey')];
    case 'kubernetes.io/service-account-token': {
      const annotations = secret.metadata.annotations ?? {};
      return annotations['kubernetes.io/service-account.name']
        ? []
        : [{ type: 'FieldValueRequired', field: 'metadata.annotations[kubernetes.io/service-account.name]' }];
    }
    default:
      return [];
  }
}

/**
 * The real server only checks that the decoded value is a JSON object: it json.Unmarshals it
 * into a `map[string]interface{}` (pkg/apis/core/validation ValidateSecret), for `.dockercfg`
 * and `.dockerconfigjson` alike, so `{"auths":"x"}` or a username that is a number is accepted
 * (the kubelet only fails on it when it pulls). The contents are redacted in the message.
 */
function dockerConfigErrors(key: string, value: string | null): FieldError[] {
  const text = value ? Buffer.from(value, 'base64').toString('utf8') : '';
  const problem = goJsonProblem(text) ?? notAnObjectProblem(JSON.parse(text));
  return problem
    ? [{ type: 'FieldValueInvalid', field: `data[${key}]`, value: '<secret contents redacted>', detail: problem }]
    : [];
}

/** A Go-flavoured description of why `text` is not JSON, or undefined when it parses. */
function goJsonProblem(text: string): string | undefined {
  if (text.trim() === '') return 'unexpected end of JSON input';
  try {
    JSON.parse(text);
    return undefined;
  } catch (err) {
    const first = text.trimStart()[0];
    if (!first || !'{["-0123456789tfn'.includes(first))
      return `invalid character '${first}' looking for beginning of value`;
    // V8 names the offset in some messages ("... at position 7") and only the token in others.
    const pos = /position (\d+)/.exec((err as Error).message);
    if (pos && Number(pos[1]) < text.length)
      return `invalid character '${text[Number(pos[1])]}' in JSON input at offset ${pos[1]}`;
    const token = /Unexpected token '?(.)/.exec((err as Error).message);
    return token ? `invalid character '${token[1]}' in JSON input` : 'unexpected end of JSON input';
  }
}

/** What Go's decoder says of a JSON value that is not an object (null decodes to a nil map, fine). */
function notAnObjectProblem(parsed: unknown): string | undefined {
  if (parsed === null || (typeof parsed === 'object' && !Array.isArray(parsed))) return undefined;
  const goType = Array.isArray(parsed) ? 'array' : typeof parsed === 'boolean' ? 'bool' : typeof parsed;
  return `json: cannot unmarshal ${goType} into Go value of type map[string]interface {}`;
}

/**
 * ValidateServiceAccount beyond ObjectMeta: nothing is validated (the emulator does not police
 * the secret references), but an `imagePullSecrets` that is not a list fails decoding (400).
 */
export function validateServiceAccount(sa: KubeObject): FieldError[] {
  const ips = sa.imagePullSecrets;
  if (ips !== undefined && ips !== null && !Array.isArray(ips)) {
    throw badRequest(
      `ServiceAccount in version "v1" cannot be handled as a ServiceAccount: json: cannot unmarshal ${jsonTypeName(ips)} into Go struct field ServiceAccount.imagePullSecrets of type []v1.LocalObjectReference`,
    );
  }
  return [];
}
