/**
 * The sandbox policy the break-glass integration tests start the app with: one catch-all rule
 * for the sandbox approvers group, and break-glass for its on-call group for up to 4h. Written to
 * a file because the app reads ACRBOT_POLICY from disk.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SANDBOX_APPROVER_GROUP_ID, SANDBOX_ONCALL_GROUP_ID } from '../../src/sandbox/fixtures';

/** The policy's YAML; `channel` sets `breakGlass.channel` (absent: the cards fall back to the approvers' channel). */
export function breakGlassPolicyYaml(options: { channel?: string } = {}): string {
  return `version: 1
rules:
  - id: default
    match: {}
    approvers: { groups: ["${SANDBOX_APPROVER_GROUP_ID}"] }
breakGlass:
  groups: ["${SANDBOX_ONCALL_GROUP_ID}"]
  maxDuration: 4h
${options.channel === undefined ? '' : `  channel: "${options.channel}"\n`}`;
}

/** Writes `yaml` as policy.yaml in `dir` (a test's temporary directory) and returns its path, for ACRBOT_POLICY. */
export function writePolicyFile(dir: string, yaml: string): string {
  const file = join(dir, 'policy.yaml');
  writeFileSync(file, yaml);
  return file;
}
