/**
 * Secrets inside text: a connection string in an error message, a SAS in a URL, a token in a
 * header dump, a kubeconfig or docker config excerpt in a body. Every boundary text leaves by
 * scrubs it here (G12): log lines (observability/logger.ts, whose redaction by key uses
 * {@link SECRET_KEY_NAMES}), audit details (audit-chain.ts's auditText), outcome errors and card
 * error texts, the audit CLI's messages; and a reason or comment it would change is refused
 * (text.ts's looksLikeSecret), since a card shows those as typed. Redaction by key
 * (logger.ts) cannot see these; this replaces the secret part and keeps its name, so the text
 * stays readable (`AccountKey=[redacted]`, `https://[redacted]@host`). Pure, and linear in the
 * text: every pattern starts at a literal (`=`, `:`, `://`, `eyJ`…) with bounded look-behinds for
 * the name, and no repeated group can match the same characters two ways, so a long or hostile
 * string costs one pass per pattern.
 */

/** What a secret is replaced with. */
export const REDACTION = '[redacted]';

/** Names whose `name=value` is a secret: connection strings, query strings, form bodies. */
const ASSIGNED = [
  'AccountKey',
  'SharedAccessKey',
  'SharedAccessSignature',
  'sig',
  'client_secret',
  'clientSecret',
  'client-secret',
  'client_assertion',
  'assertion',
  'password',
  'passwd',
  'pwd',
  'access_token',
  'refresh_token',
  'id_token',
  'token',
  'secret',
  'api_key',
  'apiKey',
  'subscription-key',
  'MicrosoftAppPassword',
];

/**
 * Names whose quoted value is a secret, in JSON (`"auth":"…"`, also escaped inside a string),
 * in JavaScript's inspect output (`password: '…'`), or in YAML: the names above, a docker
 * config's, a kubeconfig's, Graph's and ACR's credential lists, and HTTP headers'.
 */
const QUOTED = [
  ...ASSIGNED,
  'passwords',
  'passwordCredentials',
  'auth',
  'identitytoken',
  'registrytoken',
  'accessToken',
  'refreshToken',
  'idToken',
  'id-token',
  'access-token',
  'refresh-token',
  'client-secret',
  'client-key-data',
  'privateKey',
  'private_key',
  'secretText',
  'connectionString',
  'kubeconfig',
  '.dockerconfigjson',
  'dockerconfigjson',
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'ocp-apim-subscription-key',
  'x-ms-encryption-key',
];

/**
 * Names whose value is a secret only as a JSON string field, the name itself quoted
 * (`"value":"…"`, also escaped): ACR's generateCredentials (`"passwords":[{"name":"password1",
 * "value":"…"}]`) and AKS's listClusterUserCredential (`"kubeconfigs":[{"value":"…"}]`) answer so.
 * A bare `value: "…"` is ordinary prose or a Kubernetes message (`Invalid value: "Foo_Bar"`), and
 * an ARM or Graph list (`"value":[…]`) is no string, so both stay readable.
 */
const QUOTED_JSON_ONLY = ['value'];

/**
 * Not right after `"message":{` or `"lang":"en-US",`: the Table and Storage services' OData
 * error (`"odata.error":{"code":…,"message":{"lang":"en-US","value":"…"}}`) says what went wrong
 * in a `"value"`, which stays readable.
 */
const NOT_ODATA_MESSAGE =
  '(?<!(?:\\\\?"message\\\\?"\\s{0,4}:\\s{0,4}\\{' +
  '|\\\\?"lang\\\\?"\\s{0,4}:\\s{0,4}\\\\?"[\\w-]{0,16}\\\\?"\\s{0,4},)\\s{0,4}\\\\?)';

/**
 * Every name whose value is a secret, for redaction by key (observability/logger.ts walks logged
 * objects and errors with it, compared case-insensitively): the same names this file redacts
 * inside text, so a secret is a secret whether it is logged as a field or quoted in a string.
 */
export const SECRET_KEY_NAMES: readonly string[] = [...new Set([...QUOTED, ...QUOTED_JSON_ONLY])];

/**
 * Names whose value on a YAML line is a secret. `secret:` is left out (in a manifest it names a
 * Kubernetes Secret), and so is `authorization:`, which its own rule reads to keep the scheme.
 */
const YAML = QUOTED.filter((n) => !['secret', 'authorization', 'proxy-authorization'].includes(n));

/** Names distinctive enough that `name: value` is a secret anywhere, not only at a line's start. */
const COLON_ANYWHERE = [
  'AccountKey',
  'SharedAccessKey',
  'client_secret',
  'client-secret',
  'client-key-data',
  'access_token',
  'refresh_token',
  'id-token',
  'refresh-token',
];

const alternation = (names: readonly string[]) =>
  [...new Set(names.map((n) => n.toLowerCase()))].map((n) => n.replace(/[.-]/g, (c) => `\\${c}`)).join('|');

/** No letter, digit, `_`, `.` or `-` just before: `AccountKey` but not `myAccountKey` or `x-token`. */
const START = '(?<![\\w.-])';

/** A rule: a pattern, its replacement, and a cheap test the text must pass for it to match. */
interface Rule {
  /** False when `pattern` cannot match: a plain `includes` costs a tenth of a regex pass. */
  readonly gate: (text: string, lower: string) => boolean;
  readonly pattern: RegExp;
  /** Keeps the name, the joining character and spacing (`$1`…), replaces the rest of the match. */
  readonly replacement: string;
}

const hasColon = (text: string) => text.includes(':');

/** Command-line options whose value is a secret (`--password x`, `--docker-password=x`). */
const CLI_SECRET_OPTIONS = ['password', 'docker-password', 'registry-password', 'client-secret', 'token'];

/** A secret option or a `-p` option: the CLI rule's gate and part of {@link MAYBE_SECRET}. */
const CLI_OPTION = new RegExp(`--(?:${CLI_SECRET_OPTIONS.join('|')})|[ \\t]-p[ \\t=]`, 'i');

/** One cookie, `name=value`: a header's value is a run of them joined by `;`. */
const COOKIE_PAIR = `[^\\s"',;=]+=[^\\s"',;]*`;

/**
 * The rules, each started at the character that joins a name to its value (`=`, `:`, `://`) and
 * checking the name behind it: a regex that starts with a literal is scanned for quickly, one
 * that starts with a list of names is tried at every position (ten times slower on a typical
 * message). Named values go first, so `access_token=eyJ…` keeps its name rather than becoming a
 * bare redacted JWT.
 */
const RULES: readonly Rule[] = [
  // "auth":"…", \"auth\":\"…\", password: '…', token: "…". The value runs to its closing quote
  // (honouring escapes in plain JSON), or to the end of a cut-off excerpt.
  {
    gate: (text) => hasColon(text) && (text.includes('"') || text.includes("'")),
    pattern: new RegExp(
      `:(?<=(?:${START}(?:${alternation(QUOTED)})(?:\\\\?["'])?|${NOT_ODATA_MESSAGE}["'](?:${alternation(QUOTED_JSON_ONLY)})\\\\?["'])` +
        `\\s{0,16}:)(\\s{0,16}(?:\\\\["']|["']))` +
        `(?:(?<=\\\\["'])[^"'\\\\]*|(?<=")(?:[^"\\\\]|\\\\.)*|(?<=')(?:[^'\\\\]|\\\\.)*)`,
      'gi',
    ),
    replacement: `:$1${REDACTION}`,
  },
  // A Map as inspect prints it (a Headers object's entries): 'authorization' => 'Basic …'.
  {
    gate: (text) => text.includes('=>'),
    pattern: new RegExp(
      `=>(?<=["'](?:${alternation(QUOTED)})["'][ \\t]{0,16}=>)([ \\t]{0,16}["'])` +
        `(?:(?<=")(?:[^"\\\\]|\\\\.)*|(?<=')(?:[^'\\\\]|\\\\.)*)`,
      'gi',
    ),
    replacement: `=>$1${REDACTION}`,
  },
  // AccountKey=…;  ?sig=…&  client_secret=…  password = …
  {
    gate: (text) => text.includes('='),
    pattern: new RegExp(
      `=(?<=${START}(?:${alternation(ASSIGNED)})[ \\t]{0,4}=)([ \\t]*)[^\\s&;"'<>=\`][^\\s&;"'<>\`]*`,
      'gi',
    ),
    replacement: `=$1${REDACTION}`,
  },
  // The same URL-encoded once more, as a SAS URL inside another URL's query: sig%3D…%26sp%3Dr.
  {
    gate: (_text, lower) => lower.includes('%3d'),
    pattern: new RegExp(
      `%3D(?<=(?:^|[^\\w.-]|%26|%3F)(?:${alternation(ASSIGNED)})%3D)(?:[^\\s&;"'<>%]|%(?!26)[0-9A-F]{2})+`,
      'gi',
    ),
    replacement: `%3D${REDACTION}`,
  },
  // A password given to a command line: --password …, --docker-password=… (kubectl create
  // secret docker-registry), and `-p …` after `login` (docker, helm, oras). --password-stdin has
  // no value; a value starting with `-` is the next option.
  {
    gate: (text) => CLI_OPTION.test(text),
    pattern: new RegExp(
      `(?<![\\w-])(--(?:${CLI_SECRET_OPTIONS.join('|')})|-p(?<=(?<![\\w-])login[ \\t][^\\r\\n]{0,200}))` +
        `([ \\t]+|[ \\t]*=[ \\t]*)(?:"[^"\\r\\n]*"?|'[^'\\r\\n]*'?|[^\\s"'-][^\\s"']*)`,
      'gi',
    ),
    replacement: `$1$2${REDACTION}`,
  },
  // A kubeconfig or manifest line, indented or a list item (`    token: …`, `- auth: …`), to
  // the line's end; an unindented `password: …` is more likely prose than YAML.
  {
    gate: (text) => hasColon(text) && (/^[ \t-]/.test(text) || text.includes('\n') || text.includes('\r')),
    pattern: new RegExp(
      `:(?<=(?:^|[\\r\\n])(?:[ \\t]{1,64}|[ \\t]{0,64}-[ \\t]{1,8})(?:${alternation(YAML)}):)` +
        `([ \\t]+)[^\\s"'|>][^\\r\\n]*`,
      'gi',
    ),
    replacement: `:$1${REDACTION}`,
  },
  // client-key-data: …, AccountKey: … anywhere in a line (every such name has key, secret or token).
  {
    gate: (text, lower) =>
      hasColon(text) && (lower.includes('key') || lower.includes('secret') || lower.includes('token')),
    pattern: new RegExp(`:(?<=${START}(?:${alternation(COLON_ANYWHERE)}):)([ \\t]*)[^\\s"',;{}[\\]][^\\s"',;]*`, 'gi'),
    replacement: `:$1${REDACTION}`,
  },
  // Authorization: Bearer …, authorization=SharedKey acct:sig; a scheme-less value only if long.
  {
    gate: (_text, lower) => lower.includes('authorization'),
    pattern: new RegExp(
      `([:=])(?<=${START}(?:proxy-)?authorization[ \\t]{0,4}[:=])([ \\t]*)` +
        `(?:((?:bearer|basic|digest|negotiate|ntlm|pop|token|sharedkey|sharedkeylite|sharedaccesssignature)[ \\t]+)` +
        `[^\\s"',;]+|[^\\s"',;]{16,})`,
      'gi',
    ),
    replacement: `$1$2$3${REDACTION}`,
  },
  // Cookie: session=…; other=…  Set-Cookie: ARRAffinity=…; Path=/: every name=value pair.
  {
    gate: (_text, lower) => lower.includes('cookie'),
    pattern: new RegExp(
      `:(?<=${START}(?:set-)?cookie[ \\t]{0,4}:)([ \\t]*)${COOKIE_PAIR}(?:;[ \\t]*${COOKIE_PAIR})*`,
      'gi',
    ),
    replacement: `:$1${REDACTION}`,
  },
  // https://user:pass@host: whatever stands between `://` and `@` before any `/`, `?` or `#`.
  {
    gate: (text) => text.includes('://'),
    pattern: /:\/\/[^\s/?#@"'<>\\]+@/g,
    replacement: `://${REDACTION}@`,
  },
  // A JWT or JWE: base64url segments, the first a JSON header (`{"` encodes as `eyJ`).
  {
    gate: (text) => text.includes('eyJ'),
    pattern: /(?<![\w-])eyJ[\w-]+\.[\w-]+\.[\w-]*(?:\.[\w-]*){0,2}/g,
    replacement: REDACTION,
  },
  // A bare bearer token: long and with a digit, so "Bearer authentication failed" is left alone.
  {
    gate: (_text, lower) => lower.includes('bearer'),
    pattern: /(?<![\w-])(bearer[ \t]+)(?=[\w~+/.-]*\d)[\w~+/.-]{16,}=*/gi,
    replacement: `$1${REDACTION}`,
  },
  // A PEM private key: the body up to the END line (or the end of a cut-off excerpt), an
  // encrypted key's `Proc-Type:` and `DEK-Info:` header lines included.
  {
    gate: (text) => text.includes('-----BEGIN'),
    pattern: /(-----BEGIN [A-Z ]{0,40}PRIVATE KEY-----)(?:[^-]|-(?!----END))*/g,
    replacement: `$1${REDACTION}`,
  },
];

/**
 * Text no rule can match: no `=` or `:`, no JWT, no bearer token, no PEM, no URL-encoded `=`, no
 * secret command-line option. Most log text.
 */
const MAYBE_SECRET = new RegExp(`[=:]|eyJ|bearer|-----BEGIN|%3D|${CLI_OPTION.source}`, 'i');

/**
 * `text` with the secret part of every secret-bearing pattern replaced by {@link REDACTION}: keys
 * and credentials in connection strings, query strings and bodies, JWTs, bearer tokens, URL user
 * information, docker config and kubeconfig values, PEM private keys. Names, hosts and the rest
 * of the text stay; text with no value after a secret's name ("the password was wrong") is left
 * as it is. Applying it twice gives the same text.
 */
export function scrubSecrets(text: string): string {
  if (!MAYBE_SECRET.test(text)) return text;
  // Gates may read the text as it was: a replacement adds nothing a gate looks for.
  const lower = text.toLowerCase();
  let out = text;
  for (const rule of RULES) if (rule.gate(text, lower)) out = out.replace(rule.pattern, rule.replacement);
  return out;
}
