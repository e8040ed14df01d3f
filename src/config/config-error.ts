/** The error loadConfig throws: every problem with the settings, so all are fixed at once. */

/** Configuration problems, all of them, one per line. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`acrbot cannot start; fix these settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}
