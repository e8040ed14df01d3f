/**
 * The approval policy file (`ACRBOT_POLICY`, YAML): parsed with `yaml`, validated with zod,
 * every problem reported with its line, column and path in the file. Without a file, the policy
 * is the single rule built from ACRBOT_APPROVERS / ACRBOT_APPROVER_GROUP / ACRBOT_APPROVAL_CHANNEL
 * (the behaviour before policies existed). See docs/policy.md.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type * as Yaml from 'yaml';
import type { Document, LineCounter, Scalar } from 'yaml';

/** Loaded when a policy file is read: most starts have none, and yaml costs start-up time (P5). */
const yaml = (): typeof Yaml => require('yaml') as typeof Yaml;
import { z } from 'zod/v3';
import {
  BREAK_GLASS_RULE_ID,
  DEFAULT_BREAK_GLASS_COOLDOWN_MS,
  globMatches,
  MATCH_VALUES,
  type Policy,
  type PolicyRule,
} from '../domain/policy';
import { MAX_APPROVAL_TTL_MS, MAX_POLICY_DURATION_MS, nonAsciiDuration, parseDurationMs } from './duration';
import { type AddProblem, rawMs, ruleName, shortened } from './policy-problems';
import { nonAsciiWholeNumber } from './setting-number';
import { type AccessLimits, accessBounds, accessTermProblems, breakGlassTermProblems } from './policy-term-limits';
import { unfittableNames } from './policy-name-patterns';
import { unreachableRules } from './policy-rule-order';
import { conditionsFittingNoRequest } from './policy-request-kinds';
import { autoApproveScopeWarnings } from './policy-auto-approve-scope';
import { tagValueGlobWarnings } from './policy-tag-globs';
import { knownFieldsAt, unknownFieldMessage } from './policy-unknown-fields';
import { lookAlikeMatchWarnings } from './policy-look-alikes';
import { breakGlassOutlastsWarnings } from './policy-break-glass-outlasts';
import type { PolicyLoad } from './policy-warnings';
import { yamlFindings } from './policy-yaml-warnings';
import { yamlData, yamlThrew } from './policy-yaml-data';
import { isGuid } from '../domain/identifiers';
import { monthWrittenAsMinutes } from '../domain/access-term';
import { singleLine, visibleLength } from '../domain/text';

/**
 * A Teams conversation (channel) id as the Bot Framework names it: `19:…@thread.tacv2`, with no
 * spaces or control characters, and none of `/ ? & #`, which no id holds: they are the rest of
 * a channel link (`…/General?groupId=…&tenantId=…`) copied with it.
 */
export const CONVERSATION_ID = /^19:[^\s/?&#]{1,300}$/;

/**
 * What to say about a value refused as a conversation id that was copied out of a channel link:
 * still URL-encoded (`19%3a…`), or decoded with the rest of the link after the id. '' otherwise.
 */
export function conversationIdFromLinkHint(value: string): string {
  if (/19%3a/i.test(value)) return ': this looks copied from a channel link; decode it (%3a is ":", %40 is "@")';
  if (/^19:/.test(value) && /[/?&#]/.test(value))
    return ': this looks copied from a channel link; keep only the id (up to @thread.tacv2), without the channel name and ?groupId=… after it';
  return '';
}

/** One problem in a policy file. */
export interface PolicyProblem {
  /** 1-based; 0 when the file as a whole is meant. */
  line: number;
  col: number;
  /** Dotted path in the document, e.g. `rules[0].approvers.users[1]`. */
  path: string;
  message: string;
}

/** A policy file that cannot be used; `message` lists every problem, one per line. */
export class PolicyFileError extends Error {
  /** `options.cause`: what the YAML parser threw, when a problem says it in the file's terms. */
  constructor(
    readonly file: string,
    readonly problems: PolicyProblem[],
    options?: { cause?: unknown },
  ) {
    super(
      `The approval policy ${file} has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n` +
        problems.map((p) => `  ${file}:${p.line}:${p.col} ${p.path || '(file)'}: ${p.message}`).join('\n'),
      options,
    );
    this.name = 'PolicyFileError';
  }
}

/**
 * Says `message` for every problem the schema itself finds. zod's `{ message }` covers only a
 * wrong type; a union that matched no option and a literal of another value need the error map.
 */
const saying = (message: string) => ({ errorMap: () => ({ message }) });

const guid = (what: string) =>
  z.string({ message: `${what} must be a string` }).refine(isGuid, `${what} must be a GUID`);

/**
 * The most ids one list of a rule may hold (`approvers.users`, `approvers.groups`,
 * `escalateTo.groups`). Every request keeps the rule it was made under (G18) in its one store
 * document, which on Azure Tables holds at most 480,000 characters (tables-client.ts
 * docProperties): some 12,000 ids fill it, and each request under such a rule would fail once its
 * creation was audited and its jobs scheduled. A thousand is far more than a rule names; more
 * people are a group.
 */
export const MAX_RULE_IDS = 1000;

/**
 * The longest a rule may be as each request keeps it (JSON characters): its patterns and tags
 * have no count of their own, and with three full id lists (some 120,000) it leaves most of a
 * request's document for the request.
 */
export const MAX_RULE_CHARS = 200_000;

/** A rule's list of ids, at most {@link MAX_RULE_IDS}; `fix` says what to name instead. */
const ids = (what: string, listed: string, fix: string) =>
  z
    .array(guid(what), { message: `must be a list: ${listed}: ["<object id>"]` })
    .max(
      MAX_RULE_IDS,
      `lists more than ${MAX_RULE_IDS.toLocaleString('en-US')} ${listed}, the most a rule may name (every request keeps the rule it was made under); ${fix}`,
    )
    .default([]);

/**
 * How many approvals a rule needs: a whole number from 1 to 10. YAML reads `２` (a CJK input
 * method on) as text, not a number: refused naming the character and the number to write, as a
 * duration in such digits is, where "must be a whole number" alone showed nothing wrong.
 */
const approvalsRequired = z
  .union([z.number(), z.string()], saying('must be a whole number'))
  .transform((v, ctx) => {
    if (typeof v === 'number') return v;
    const other = nonAsciiWholeNumber(v, 'a whole number from 1 to 10', (n) => n >= 1 && n <= 10);
    ctx.addIssue({ code: 'custom', message: other ?? 'must be a whole number' });
    return z.NEVER;
  })
  .pipe(z.number().int('must be a whole number').min(1, 'must be at least 1').max(10, 'must be at most 10'));

/**
 * A duration with its unit. parseDurationMs reads a bare number as seconds (as environment
 * settings are written), but in a policy `maxDuration: 8` or `remindAfter: 30` reads as hours,
 * days or minutes to most people: loaded as seconds, a rule would grant access for 8 seconds or
 * remind its approvers every 30. So the unit is required here.
 */
const duration = z
  .union([z.string(), z.number()], saying('must be a duration such as 30m, 8h or 7d'))
  .transform((v, ctx) => {
    // Zero in any unit: `0` is no slipped unit, and `0m` is no term, reminder or escalation either.
    if (/^\s*0+\s*[smhdwy]?\s*$/i.test(String(v))) {
      ctx.addIssue({ code: 'custom', message: 'must be longer than 0, e.g. 30m or 8h' });
      return z.NEVER;
    }
    const month = monthWrittenAsMinutes(String(v));
    if (month) {
      ctx.addIssue({ code: 'custom', message: month });
      return z.NEVER;
    }
    const bare = /^\s*(\d{1,20})\s*$/.exec(String(v))?.[1];
    if (bare) {
      ctx.addIssue({
        code: 'custom',
        message: `${bare} has no unit; write it with one, e.g. ${bare}m, ${bare}h or ${bare}d (${bare}s for seconds)`,
      });
      return z.NEVER;
    }
    const ms = parseDurationMs(String(v));
    if (ms === undefined) {
      // `８h`, `٨h`: read in chat's `--for`, but config is ASCII (nonAsciiDuration says why).
      const other = nonAsciiDuration(String(v), '30m, 8h or 7d');
      ctx.addIssue({
        code: 'custom',
        message: `"${String(v).slice(0, 40)}" is not a duration${other ? ` ${other}` : '; use e.g. 30m, 8h or 7d'}`,
      });
      return z.NEVER;
    }
    if (ms > MAX_POLICY_DURATION_MS) {
      ctx.addIssue({
        code: 'custom',
        message: `${shortened(String(v))} is longer than 10 years, which no term, reminder or escalation can be; use e.g. 30m, 8h or 7d`,
      });
      return z.NEVER;
    }
    return ms;
  });

/**
 * `breakGlass.cooldownAfterRejection`: a duration as {@link duration} reads it, or zero to turn the
 * cooldown off. Zero is zero in every unit, so a bare `0` is no slipped unit and is taken as it is
 * (`0h`, which parseDurationMs does not read, too); any other bare number still needs its unit.
 */
const cooldown = z.unknown().transform((v, ctx): number => {
  if ((typeof v === 'number' || typeof v === 'string') && /^\s*0+\s*[smhdwy]?\s*$/i.test(String(v))) return 0;
  const parsed = duration.safeParse(v);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
  return z.NEVER;
});

const glob = z
  .string({ message: 'must be a glob pattern (text)' })
  .min(1, 'must not be empty')
  .max(200, 'is longer than 200 characters');
const globList = z.array(glob).min(1, 'must list at least one pattern');
/**
 * One pattern or a list of them, as a list. Told apart by type first: a union says only
 * "Invalid input" for a value neither option takes (`cluster:` with no value, `cluster: 123`),
 * and would say the same of a list with a number in it rather than name the entry.
 */
const globs = z.unknown().transform((v, ctx): string[] => {
  if (typeof v !== 'string' && !Array.isArray(v)) {
    ctx.addIssue({ code: 'custom', message: 'must be a glob pattern or a list of them' });
    return z.NEVER;
  }
  const parsed = Array.isArray(v) ? globList.safeParse(v) : glob.transform((p) => [p]).safeParse(v);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
  return z.NEVER;
});
/**
 * Tag values are compared as text, so they must be YAML strings. A number, boolean or null
 * (an unquoted `0123` is 123, `1.10` is 1.1) passes here only to be refused by
 * {@link unquotedTagValues}, which can name the rule and show the value as written.
 */
const tags = (field: string) =>
  z.record(
    z
      .string()
      .min(1, 'tag names must not be empty')
      .max(512, 'tag names are at most 512 characters')
      // A record cannot hold `__proto__` as data: zod's result drops it, so the condition would
      // vanish and the rule fit every resource (a dev-only autoApprove rule becoming a catch-all).
      .refine((name) => name !== '__proto__', 'acrbot cannot match a tag named __proto__; use another tag'),
    z.union([z.string(), z.number(), z.boolean(), z.null()], saying('tag values are text')).transform(String),
    { message: `must be a map of tag names to values, e.g. ${field}: { env: prod }` },
  );

const matchSchema = z.strictObject(
  {
    cluster: globs.optional(),
    registry: globs.optional(),
    resourceGroup: globs.optional(),
    subscription: globs.optional(),
    clusterResourceGroup: globs.optional(),
    clusterSubscription: globs.optional(),
    namespace: globs.optional(),
    flow: globs.optional(),
    kind: globs.optional(),
    clusterTags: tags('clusterTags').optional(),
    registryTags: tags('registryTags').optional(),
  },
  { message: 'match must be a map of conditions ({} matches everything)' },
);

const channel = z.string({ message: 'must be a Teams channel id' }).superRefine((v, ctx) => {
  if (!CONVERSATION_ID.test(v))
    ctx.addIssue({
      code: 'custom',
      message: `must be a Teams conversation id (19:…@thread.tacv2)${conversationIdFromLinkHint(v)}`,
    });
});

/**
 * A name for people the rule reaches (its approvers, its escalation's audience), shown in cards
 * and messages instead of group ids: one line, without invisible characters (a line break or a
 * U+202E would change how the card reads), and something visible.
 */
function audienceName(invisible: string) {
  return z
    .string({ message: 'must be text' })
    .max(80, 'is longer than 80 characters')
    .transform(singleLine)
    .refine((name) => visibleLength(name) > 0, invisible);
}

const ruleSchema = z.strictObject({
  id: z
    .string({
      // Missing or empty (`id:`) is no id; any other value is one that is not text (`id: 123`).
      errorMap: (issue, ctx) => ({
        message: issue.code === 'invalid_type' && ctx.data != null ? 'must be text' : 'every rule needs an id',
      }),
    })
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1–64 letters, digits, dots, dashes or underscores'),
  match: matchSchema.default({}),
  approvers: z
    .strictObject(
      {
        users: ids(
          'an approver user (Entra object id)',
          'users',
          'put them in an Entra group and name it in approvers.groups',
        ),
        groups: ids('an approver group (Entra object id)', 'groups', 'nest them in fewer groups'),
        name: audienceName('must name the approvers in visible text').optional(),
      },
      { message: 'must be a map: write approvers: { groups: ["<object id>"] } (or users: [...])' },
    )
    .optional(),
  approvalsRequired: approvalsRequired.optional(),
  channel: channel.optional(),
  maxDuration: duration.optional(),
  approverJustification: z.enum(['required', 'optional'], { message: 'must be "required" or "optional"' }).optional(),
  remindAfter: duration.optional(),
  escalateAfter: duration.optional(),
  escalateTo: z
    .strictObject({
      channel: channel.optional(),
      groups: ids('an escalation group', 'groups', 'nest them in fewer groups'),
      name: audienceName('must name who is escalated to in visible text').optional(),
    })
    .optional(),
  autoApprove: z
    .strictObject({ maxDuration: duration }, { message: 'must be a map: write autoApprove: { maxDuration: 7d }' })
    .optional(),
});

const fileSchema = z.strictObject({
  version: z.literal(1, saying('must be 1')),
  rules: z.array(ruleSchema, { message: 'must be a list of rules' }).min(1, 'must list at least one rule'),
  breakGlass: z
    .strictObject({
      groups: z
        .array(guid('a break-glass group'), { message: 'must be a list: groups: ["<object id>"]' })
        .min(1, 'must list at least one group'),
      maxDuration: duration,
      channel: channel.optional(),
      cooldownAfterRejection: cooldown.optional(),
    })
    .optional(),
});

type RuleInput = z.infer<typeof ruleSchema>;

function toRule(r: RuleInput): PolicyRule {
  return {
    id: r.id,
    match: r.match,
    approvers: { users: r.approvers?.users ?? [], groups: r.approvers?.groups ?? [], name: r.approvers?.name },
    approvalsRequired: r.autoApprove ? 0 : (r.approvalsRequired ?? 1),
    channel: r.channel,
    maxDurationMs: r.maxDuration,
    approverJustification: r.approverJustification ?? 'optional',
    remindAfterMs: r.remindAfter,
    escalateAfterMs: r.escalateAfter,
    escalateTo: r.escalateTo,
    autoApprove: r.autoApprove ? { maxDurationMs: r.autoApprove.maxDuration } : undefined,
  };
}

function pathText(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out;
}

/**
 * Line and column of the node at `path`, or of its closest existing parent. A value left empty
 * (`cluster:`) has no text of its own; its key is where it is missing.
 */
function locate(
  doc: Document,
  lines: LineCounter,
  path: readonly PropertyKey[],
  key?: string,
): { line: number; col: number } {
  const last = path[path.length - 1];
  const value = doc.getIn(path as unknown[], true) as { range?: [number, number, number] } | undefined;
  if (key === undefined && typeof last === 'string' && value?.range && value.range[0] === value.range[1])
    return locate(doc, lines, path.slice(0, -1), last);
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as unknown[], true) as { range?: [number, number, number] } | undefined;
    const target =
      n === path.length && key && yaml().isMap(node)
        ? node.items.find((p) => yaml().isScalar(p.key) && p.key.value === key)?.key
        : node;
    const range =
      (target as { range?: [number, number, number] } | undefined)?.range ??
      (n === 0 ? doc.contents?.range : undefined);
    if (range) return lines.linePos(range[0]);
  }
  return { line: 1, col: 1 };
}

/**
 * Why nobody could decide under a rule, or undefined when someone could. Without approvers only
 * an auto-approving rule works, and not when the policy has break-glass: a break-glass grant is
 * reviewed by the approvers of the rule that fits it (never another rule's), so one under this
 * rule would be refused at use (`breakglass.refused.noReviewer`). Said here, when the file is
 * loaded, so the operator learns it before someone on call does.
 */
function missingApprovers(rule: Record<string, unknown>, i: number, breakGlass: boolean): string | undefined {
  const approvers = (rule.approvers ?? {}) as Record<string, unknown>;
  // Ids written in the wrong shape (`groups: "<id>"`, `approvers: ["<id>"]`) are approvers meant:
  // the shape is refused with what to write, and "nobody could approve" would only mislead.
  const count = (v: unknown) => (Array.isArray(v) ? v.length : typeof v === 'string' && v ? 1 : 0);
  if (count(rule.approvers) + count(approvers.users) + count(approvers.groups) > 0) return undefined;
  if (!rule.autoApprove)
    return 'nobody could approve under this rule: list approvers (users or groups) or use autoApprove';
  if (!breakGlass) return undefined;
  return (
    `nobody could review a break-glass grant under ${ruleName(rule, i)}: the policy has breakGlass, and a grant is ` +
    'reviewed by the approvers of the rule that fits it; list approvers (users or groups) here, or remove breakGlass'
  );
}

/**
 * Approvers listed twice (object ids are GUIDs, compared without regard to case, as approvals
 * are), and a quorum the named users could never reach when there are no groups to draw on: a
 * request under such a rule could only wait until it expires.
 */
function quorumProblems(rule: Record<string, unknown>, add: AddProblem): void {
  const approvers = (rule.approvers ?? {}) as Record<string, unknown>;
  const users = Array.isArray(approvers.users) ? (approvers.users as unknown[]) : [];
  const seen = new Map<string, number>();
  users.forEach((user, j) => {
    if (typeof user !== 'string') return;
    const first = seen.get(user.toLowerCase());
    if (first === undefined) seen.set(user.toLowerCase(), j);
    else
      add(
        ['approvers', 'users', j],
        `the same user as approvers.users[${first}] (object ids are compared without regard to case); list each approver once`,
      );
  });
  const groups = Array.isArray(approvers.groups) ? approvers.groups.length : 0;
  const required = rule.approvalsRequired;
  if (rule.autoApprove || groups > 0 || seen.size === 0 || typeof required !== 'number' || required <= seen.size)
    return;
  add(
    ['approvalsRequired'],
    `needs ${required} approvals, but the rule names only ${seen.size} approver${seen.size === 1 ? '' : 's'} and no groups, ` +
      'so no request under it could ever be approved; lower approvalsRequired, or list more users or a group',
  );
}

/**
 * `escalateTo` that would tell nobody, and reminders or escalations that could never be sent:
 * a request waits at most `approvalTtlMs` for a decision and expires then.
 */
function nudgeProblems(rule: Record<string, unknown>, add: AddProblem, approvalTtlMs: number): void {
  const to = rule.escalateTo;
  if (rule.escalateAfter !== undefined && !to)
    add(['escalateTo'], 'escalateAfter needs escalateTo (a channel or groups)');
  // Without a time nothing is ever escalated: the operator would count on an escalation that never comes.
  if (to != null && rule.escalateAfter === undefined)
    add(
      ['escalateTo'],
      'needs escalateAfter (how long a request waits before it is escalated); without it nobody is ever escalated to',
    );
  if (to && typeof to === 'object') {
    const { channel: toChannel, groups } = to as Record<string, unknown>;
    if (!toChannel && !(Array.isArray(groups) && groups.length > 0))
      add(['escalateTo'], 'names nobody: give escalateTo a channel or at least one group');
  }
  const remind = rawMs(rule.remindAfter);
  const escalate = rawMs(rule.escalateAfter);
  if (remind !== undefined && escalate !== undefined && escalate <= remind)
    add(['escalateAfter'], 'must be later than remindAfter');
  const ttl = hoursOrLess(approvalTtlMs);
  const setting = approvalTtlMs < MAX_APPROVAL_TTL_MS ? 'ACRBOT_APPROVAL_TTL' : 'the longest ACRBOT_APPROVAL_TTL';
  for (const [field, value] of [
    ['remindAfter', remind],
    ['escalateAfter', escalate],
  ] as const)
    if (value !== undefined && value >= approvalTtlMs)
      add(
        [field],
        `could never come: a request waits at most ${ttl} for a decision (${setting}) ` +
          `and has expired by then; make it shorter than ${ttl}`,
      );
}

/** Fields about people approving: a rule that approves on its own never uses them. */
const HUMAN_APPROVAL_FIELDS = ['approvalsRequired', 'remindAfter', 'escalateAfter', 'escalateTo'] as const;

/**
 * Fields an auto-approving rule ignores: its requests are approved when they are made, so
 * nobody is counted, reminded or escalated to. Loaded quietly, `approvalsRequired: 2` next to
 * `autoApprove` reads as two-person approval while nobody approves at all.
 */
function autoApproveProblems(rule: Record<string, unknown>, add: AddProblem): void {
  for (const field of HUMAN_APPROVAL_FIELDS)
    if (rule[field] !== undefined)
      add(
        [field],
        `has no effect with autoApprove: the rule approves its requests itself, so no approver is counted, reminded or escalated to; ` +
          `remove ${field}, or remove autoApprove if people must approve`,
      );
}

/**
 * `flow` and `kind` patterns that fit none of the values a request has ({@link MATCH_VALUES}):
 * such a condition never fits, so a typo (`flow: secrets`) would send the requests the rule was
 * written for on to a later, perhaps looser, rule, as a misspelt field name would.
 */
function unknownMatchValues(rule: Record<string, unknown>, add: AddProblem): void {
  const match = rule.match;
  if (!match || typeof match !== 'object') return;
  for (const field of ['flow', 'kind'] as const) {
    const value = (match as Record<string, unknown>)[field];
    const patterns: unknown[] = Array.isArray(value) ? value : [value];
    const known: readonly string[] = MATCH_VALUES[field];
    const names = `${known.slice(0, -1).join(', ')} or ${known[known.length - 1]}`;
    patterns.forEach((pattern, j) => {
      if (typeof pattern !== 'string' || pattern === '' || known.some((v) => globMatches(pattern, v))) return;
      add(
        ['match', field, ...(Array.isArray(value) ? [j] : [])],
        `"${pattern.slice(0, 40)}" fits no ${field} (a request's ${field} is ${names}), so this condition never fits; check the spelling`,
      );
    });
  }
}

/**
 * A tag named twice in one condition, in different case (`env` and `Env`): tag names are compared
 * without regard to case, as Azure treats them, so both entries ask for the same tag, and with
 * two values the rule could never fit.
 */
function tagsNamedTwice(rule: Record<string, unknown>, add: AddProblem): void {
  const match = rule.match;
  if (!match || typeof match !== 'object') return;
  for (const field of ['clusterTags', 'registryTags'] as const) {
    const values = (match as Record<string, unknown>)[field];
    if (!values || typeof values !== 'object' || Array.isArray(values)) continue;
    const seen = new Map<string, string>();
    for (const name of Object.keys(values)) {
      const first = seen.get(name.toLowerCase());
      if (first === undefined) seen.set(name.toLowerCase(), name);
      else
        add(
          ['match', field, name],
          `the same tag as ${first} (tag names are compared without regard to case, as Azure does); list each tag once`,
        );
    }
  }
}

/** `24h`, `90m`, `30s`: a TTL as ACRBOT_APPROVAL_TTL is written (it is at most a day). */
function hoursOrLess(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  return ms % 60_000 === 0 ? `${ms / 60_000}m` : `${Math.round(ms / 1000)}s`;
}

/**
 * Tag values YAML read as a number, boolean or null: they are compared as text, so `0123`
 * (read as 123) or `1.10` (1.1) would never match the tag and requests would fall through to
 * a later, perhaps looser, rule. The message shows the value as written, quoted.
 */
function unquotedTagValues(rule: Record<string, unknown>, i: number, doc: Document, add: AddProblem): void {
  const match = rule.match;
  if (!match || typeof match !== 'object') return;
  for (const field of ['clusterTags', 'registryTags'] as const) {
    const values = (match as Record<string, unknown>)[field];
    if (!values || typeof values !== 'object' || Array.isArray(values)) continue;
    for (const [key, value] of Object.entries(values as Record<string, unknown>)) {
      if (value !== null && typeof value !== 'number' && typeof value !== 'boolean') continue;
      const node = doc.getIn(['rules', i, 'match', field, key], true) as Scalar | undefined;
      const written = node?.source || String(value);
      const problem =
        value === null
          ? `YAML reads the value of tag ${key} as null (no value)`
          : `YAML reads the value of tag ${key}, ${written}, as the ${typeof value} ${String(value)}`;
      const fix =
        value === null
          ? `write the value in quotes, e.g. ${key}: "" for an empty tag`
          : `quote it: ${key}: "${written}"`;
      add(['match', field, key], `${ruleName(rule, i)}: ${problem}, which never equals a tag's text; ${fix}`);
    }
  }
}

/** Limits a policy is checked against that come from the configuration. */
export interface PolicyLimits extends AccessLimits {
  /** ACRBOT_APPROVAL_TTL; unknown (a reload), the longest it may be. */
  approvalTtlMs?: number;
}

/**
 * Checks across fields of a rule, on the raw document: zod skips refinements of an object whose
 * fields failed, and every problem should be listed in one pass.
 */
function crossFieldProblems(raw: unknown, doc: Document, lines: LineCounter, limits: PolicyLimits): PolicyProblem[] {
  const rules = (raw as { rules?: unknown } | null)?.rules;
  if (!Array.isArray(rules)) return [];
  const breakGlass = (raw as { breakGlass?: unknown }).breakGlass != null;
  const out: PolicyProblem[] = [];
  rules.forEach((value: unknown, i) => {
    if (!value || typeof value !== 'object') return;
    const rule = value as Record<string, unknown>;
    const add: AddProblem = (path, message) =>
      out.push({ ...locate(doc, lines, ['rules', i, ...path]), path: pathText(['rules', i, ...path]), message });
    const auto = rule.autoApprove as Record<string, unknown> | undefined;
    const nobody = missingApprovers(rule, i, breakGlass);
    if (nobody) add(['approvers'], nobody);
    quorumProblems(rule, add);
    if (auto) autoApproveProblems(rule, add);
    else nudgeProblems(rule, add, limits.approvalTtlMs ?? MAX_APPROVAL_TTL_MS);
    unknownMatchValues(rule, add);
    conditionsFittingNoRequest(rule, add);
    unfittableNames(rule, add);
    tagsNamedTwice(rule, add);
    unquotedTagValues(rule, i, doc, add);
    const max = rawMs(rule.maxDuration);
    const autoMax = auto && typeof auto === 'object' ? rawMs(auto.maxDuration) : undefined;
    if (max !== undefined && autoMax !== undefined && autoMax > max)
      add(['autoApprove', 'maxDuration'], 'must not be longer than the rule maxDuration');
    accessTermProblems(rule, i, add, accessBounds(limits));
  });
  return out;
}

/**
 * Ids that cannot be told apart: the same id twice (ids compare without case), and the id the
 * audit log gives break-glass decisions, which a rule of that name would make ambiguous.
 */
function ambiguousIds(raw: unknown, doc: Document, lines: LineCounter): PolicyProblem[] {
  const rules = (raw as { rules?: unknown } | null)?.rules;
  if (!Array.isArray(rules)) return [];
  const seen = new Map<string, number>();
  const out: PolicyProblem[] = [];
  rules.forEach((rule: unknown, i) => {
    const id = (rule as { id?: unknown } | null)?.id;
    if (typeof id !== 'string') return;
    if (id.toLowerCase() === BREAK_GLASS_RULE_ID) {
      out.push({
        ...locate(doc, lines, ['rules', i, 'id']),
        path: `rules[${i}].id`,
        message: `"${id}" is reserved: audit entries name break-glass decisions with it; choose another id`,
      });
      return;
    }
    const first = seen.get(id.toLowerCase());
    if (first === undefined) seen.set(id.toLowerCase(), i);
    else
      out.push({
        ...locate(doc, lines, ['rules', i, 'id']),
        path: `rules[${i}].id`,
        message: `the same id as rules[${first}]`,
      });
  });
  return out;
}

/**
 * Parses and validates a policy file's text; throws a {@link PolicyFileError} listing every
 * problem. `limits` are the configuration's (ACRBOT_APPROVAL_TTL, ACRBOT_MIN/MAX_ACCESS_DURATION)
 * where known. A file that loads may still have warnings: they are returned beside the policy
 * (policy-warnings.ts), for the caller to log or print.
 */
export function loadPolicy(text: string, file: string, limits: PolicyLimits = {}): PolicyLoad {
  const lines = new (yaml().LineCounter)();
  let doc: Document;
  try {
    doc = yaml().parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  } catch (err) {
    // It reports what it cannot read in doc.errors; anything it throws is still the file's problem.
    throw new PolicyFileError(file, [yamlThrew(err)], { cause: err });
  }
  const problems: PolicyProblem[] = [];
  for (const e of doc.errors) {
    const pos = e.linePos?.[0] ?? { line: 1, col: 1 };
    problems.push({
      line: pos.line,
      col: pos.col,
      path: '',
      message: e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, ''),
    });
  }
  // A tag the parser dropped is refused with the syntax errors, before the value left without it
  // is checked: problems with that value would only repeat it (policy-yaml-warnings.ts says why
  // it is a problem, and why the parser's other warnings are warnings).
  const yamlSays = yamlFindings(yaml(), doc, text, lines);
  problems.push(...yamlSays.problems);
  if (problems.length > 0) {
    problems.sort((a, b) => a.line - b.line || a.col - b.col);
    throw new PolicyFileError(file, problems);
  }
  // Where aliases and merges are expanded (policy-yaml-data.ts).
  const data = yamlData(yaml(), doc, lines);
  if ('problem' in data) throw new PolicyFileError(file, [data.problem], { cause: data.cause });
  const raw = data.data;
  // Checked on the raw document so it is reported even when a rule has other problems (zod
  // skips refinements of an object whose fields failed).
  problems.push(...ambiguousIds(raw, doc, lines), ...crossFieldProblems(raw, doc, lines, limits));
  const addAt: AddProblem = (path, message) => {
    problems.push({ ...locate(doc, lines, path), path: pathText(path), message });
  };
  breakGlassTermProblems(raw, addAt, accessBounds(limits));
  unreachableRules(raw, addAt, (i) => locate(doc, lines, ['rules', i]).line);
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
      for (const key of keys) {
        const where = locate(doc, lines, issue.path, key);
        const path = key ? pathText([...issue.path, key]) : pathText(issue.path);
        const message =
          issue.code === 'unrecognized_keys'
            ? unknownFieldMessage(key ?? '', knownFieldsAt(fileSchema, issue.path))
            : issue.message;
        problems.push({ ...where, path, message });
      }
    }
  }
  if (problems.length > 0 || !parsed.success) {
    problems.sort((a, b) => a.line - b.line || a.col - b.col);
    throw new PolicyFileError(file, problems);
  }
  const rules = parsed.data.rules.map(toRule);
  rules.forEach((rule, i) => {
    const size = JSON.stringify(rule).length;
    if (size > MAX_RULE_CHARS)
      addAt(
        ['rules', i],
        `rule ${rule.id} is ${size.toLocaleString('en-US')} characters as every request under it keeps it, more than ${MAX_RULE_CHARS.toLocaleString('en-US')}; name fewer patterns, tags or ids (a group rather than its people)`,
      );
  });
  if (problems.length > 0) {
    problems.sort((a, b) => a.line - b.line || a.col - b.col);
    throw new PolicyFileError(file, problems);
  }
  // The file loads; what it may not mean is returned beside it (policy-warnings.ts), not refused.
  const warnings = [
    ...yamlSays.warnings,
    ...autoApproveScopeWarnings(rules, (i) => ({
      ...locate(doc, lines, ['rules', i, 'match']),
      path: pathText(['rules', i, 'match']),
    })),
    ...tagValueGlobWarnings(rules, (i, field, name) => ({
      ...locate(doc, lines, ['rules', i, 'match', field, name]),
      path: pathText(['rules', i, 'match', field, name]),
    })),
    ...lookAlikeMatchWarnings((raw as { rules: unknown[] }).rules, (i, path) => ({
      ...locate(doc, lines, ['rules', i, ...path]),
      path: pathText(['rules', i, ...path]),
    })),
    ...breakGlassOutlastsWarnings(rules, parsed.data.breakGlass?.maxDuration, (i) => ({
      ...locate(doc, lines, ['rules', i, 'maxDuration']),
      path: pathText(['rules', i, 'maxDuration']),
    })),
  ].sort((a, b) => a.line - b.line || a.col - b.col);
  return {
    policy: {
      version: 1,
      rules,
      breakGlass: parsed.data.breakGlass && {
        groups: parsed.data.breakGlass.groups,
        maxDurationMs: parsed.data.breakGlass.maxDuration,
        channel: parsed.data.breakGlass.channel,
        cooldownAfterRejectionMs: parsed.data.breakGlass.cooldownAfterRejection ?? DEFAULT_BREAK_GLASS_COOLDOWN_MS,
      },
      hash: policyHash(text),
      source: 'file',
    },
    warnings,
  };
}

/**
 * The policy of a file's text, as {@link loadPolicy} loads it, without its warnings: for a caller
 * that only needs the rules (a file that is refused throws the same PolicyFileError).
 */
export function parsePolicy(text: string, file: string, limits: PolicyLimits = {}): Policy {
  return loadPolicy(text, file, limits).policy;
}

/** The settings the policy is built from when there is no file. */
export interface EnvironmentPolicySettings {
  approverIds: readonly string[];
  approverGroupId?: string;
  approvalChannelId?: string;
  approverJustificationRequired: boolean;
}

/** Today's behaviour as a policy: one rule, `default`, matching everything. */
export function policyFromEnvironment(s: EnvironmentPolicySettings): Policy {
  const rule: PolicyRule = {
    id: 'default',
    match: {},
    approvers: {
      users: [...s.approverIds],
      groups: s.approverGroupId ? [s.approverGroupId] : [],
      name: 'the approvers',
    },
    approvalsRequired: 1,
    channel: s.approvalChannelId,
    approverJustification: s.approverJustificationRequired ? 'required' : 'optional',
  };
  const hash = createHash('sha256')
    .update(`environment:${JSON.stringify(rule)}`, 'utf8')
    .digest('hex');
  return { version: 1, rules: [rule], hash, source: 'environment' };
}

/** The identity of a policy file: the sha256 (hex) of its text. */
export function policyHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Reads a policy file's text; an unreadable file is a {@link PolicyFileError} with one problem at line 0. */
export function readPolicyText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    const why =
      code === 'ENOENT'
        ? 'there is no such file (check ACRBOT_POLICY, relative to the directory acrbot starts in)'
        : code === 'EACCES'
          ? 'acrbot may not read it (check its permissions)'
          : code === 'EISDIR'
            ? 'it is a directory; name the policy file itself'
            : 'it cannot be read';
    throw new PolicyFileError(file, [{ line: 0, col: 0, path: '', message: `cannot read the file (${code}): ${why}` }]);
  }
}

/** Reads and loads a policy file, with its warnings; an unreadable file is one problem at line 0. */
export function readPolicyFile(file: string, limits: PolicyLimits = {}): PolicyLoad {
  return loadPolicy(readPolicyText(file), file, limits);
}
