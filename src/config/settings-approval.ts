/**
 * The settings of who takes part and where: approvers, auditors and the tenants allowed in, the
 * channels cards go to, the policy file, and how approval runs without one (its TTL and whether
 * approvers must give a justification).
 */
import { z } from 'zod/v3';
import { isGuid } from '../domain/identifiers';
import { duration } from './setting-duration';
import { guidList } from './setting-list';
import { channelId } from './setting-url';

/** The approval settings, by name, as the settings schema (settings-schema.ts) reads them. */
export const approvalSettings = {
  ACRBOT_APPROVERS: guidList('ACRBOT_APPROVERS'),
  ACRBOT_APPROVER_GROUP: z
    .string()
    .optional()
    .refine((v) => !v || isGuid(v), { message: "ACRBOT_APPROVER_GROUP must be the group's object id (a GUID)" }),
  ACRBOT_AUDITORS: guidList('ACRBOT_AUDITORS'),
  ACRBOT_APPROVAL_CHANNEL: channelId('ACRBOT_APPROVAL_CHANNEL'),
  ACRBOT_POLICY: z.string().optional(),
  ACRBOT_AUDIT_CHANNEL: channelId('ACRBOT_AUDIT_CHANNEL'),
  ACRBOT_ALLOWED_TENANTS: guidList('ACRBOT_ALLOWED_TENANTS'),
  ACRBOT_APPROVAL_TTL: duration('ACRBOT_APPROVAL_TTL', '24h'),
  ACRBOT_APPROVER_JUSTIFICATION: z
    .enum(['required', 'optional'], { message: 'ACRBOT_APPROVER_JUSTIFICATION must be "required" or "optional"' })
    .default('optional'),
};
