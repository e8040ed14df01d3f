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

/** ValidateSecret (create) plus ValidateSecretUpdate when `old` is given. */
export function validateSecret(secret: KubeObject, old?: KubeObject): FieldError[] {
  const errs = validateName(secret.metadata.name, dns1123SubdomainErrors);
  const data = (secret.data ?? {}) as Record<string, string | null>;
  let total = 0;
  for (const [key, value] of Object.entries(data)) {
    if (key.length > 253 || !new RegExp(`^${CONFIG_KEY}$`).test(key)) {
      errs.push({
        type: 'FieldValueInvalid',
        field: `data[${key}]`,
        value: key,
        detail: regexError(
          "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
          CONFIG_KEY,
          'key.name',
          'KEY_NAME',
          'key-name',
        ),
      });
    }
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
        ? dockerConfigErrors('.dockerconfigjson', data['.dockerconfigjson'], true)
        : [required('.dockerconfigjson')];
    case 'kubernetes.io/dockercfg':
      return has('.dockercfg') ? dockerConfigErrors('.dockercfg', data['.dockercfg'], false) : [required('.dockercfg')];
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
 * The real server json.Unmarshals the decoded value into DockerConfigJSON (`{auths:{host:{username,password,email,auth}}}`)
 * or, for `.dockercfg`, straight into the host map. The contents are redacted in the message.
 */
function dockerConfigErrors(key: string, value: string | null, wrapped: boolean): FieldError[] {
  const text = value ? Buffer.from(value, 'base64').toString('utf8') : '';
  const problem = goJsonProblem(text) ?? dockerConfigShapeProblem(JSON.parse(text), wrapped);
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

/** Type mismatches Go's decoder reports for the docker config structs. */
function dockerConfigShapeProblem(parsed: unknown, wrapped: boolean): string | undefined {
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (parsed === null) return undefined;
  let hosts: unknown = parsed;
  if (wrapped) {
    if (!isObj(parsed))
      return `json: cannot unmarshal ${jsonTypeName(parsed)} into Go value of type core.DockerConfigJSON`;
    hosts = parsed.auths;
    if (hosts === undefined || hosts === null) return undefined;
    if (!isObj(hosts))
      return `json: cannot unmarshal ${jsonTypeName(hosts)} into Go struct field DockerConfigJSON.auths of type core.DockerConfig`;
  } else if (!isObj(hosts)) {
    return `json: cannot unmarshal ${jsonTypeName(hosts)} into Go value of type core.DockerConfig`;
  }
  for (const entry of Object.values(hosts as Record<string, unknown>)) {
    if (entry === null) continue;
    if (!isObj(entry))
      return `json: cannot unmarshal ${jsonTypeName(entry)} into Go value of type core.DockerConfigEntry`;
    for (const field of ['username', 'password', 'email', 'auth']) {
      const v = entry[field];
      if (v !== undefined && v !== null && typeof v !== 'string') {
        return `json: cannot unmarshal ${jsonTypeName(v)} into Go struct field DockerConfigEntry.${wrapped ? 'auths.' : ''}${field} of type string`;
      }
    }
  }
  return undefined;
}

/** ValidateServiceAccount: name only (the emulator does not police the secret references). */
export function validateServiceAccount(sa: KubeObject): FieldError[] {
  const errs = validateName(sa.metadata.name, dns1123SubdomainErrors);
  const ips = sa.imagePullSecrets;
  if (ips !== undefined && ips !== null && !Array.isArray(ips)) {
    throw badRequest(
      `ServiceAccount in version "v1" cannot be handled as a ServiceAccount: json: cannot unmarshal ${jsonTypeName(ips)} into Go struct field ServiceAccount.imagePullSecrets of type []v1.LocalObjectReference`,
    );
  }
  return errs;
}

/** ValidateNamespace: name must be a DNS-1123 label. */
export function validateNamespace(ns: KubeObject): FieldError[] {
  return validateName(ns.metadata.name, dns1123LabelErrors);
}
