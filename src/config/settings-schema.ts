/**
 * The schema of every setting acrbot reads, assembled from the groups' files in the order they
 * are listed (problems are listed in that order too). Parsing it checks each setting on its own;
 * loadConfig (config.ts) checks them across settings and by mode.
 */
import { z } from 'zod/v3';
import { approvalSettings } from './settings-approval';
import { channelHookSettings } from './settings-channel-hooks';
import { hostingSettings } from './settings-hosting';
import { operationSettings } from './settings-operation';
import { safeguardSettings } from './settings-safeguards';
import { storageSettings } from './settings-storage';
import { tabSettings } from './settings-tab';
import { timingSettings } from './settings-timing';

/** Every setting acrbot reads, each checked and converted on its own. */
export const schema = z.object({
  ...hostingSettings,
  ...approvalSettings,
  ...timingSettings,
  ...storageSettings,
  ...channelHookSettings,
  ...tabSettings,
  ...operationSettings,
  ...safeguardSettings,
});

/** The settings as the schema answers them. */
export type Settings = z.infer<typeof schema>;

/** The names of the settings acrbot reads (its own schema), whose values are checked for quotes. */
export const SETTINGS = new Set(Object.keys(schema.shape));
