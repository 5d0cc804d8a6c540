/** One bad setting: the env key and what is wrong with it (never its value: it may be a secret). */
export interface ConfigIssue {
  key: string;
  message: string;
}

/** Thrown when the configuration is unusable; `issues` names every bad key (and never a secret's value). */
export class ConfigError extends Error {
  readonly code = 'config_invalid';
  constructor(
    readonly profile: string,
    readonly issues: ConfigIssue[],
  ) {
    super(
      `Invalid configuration (profile ${profile}):\n` +
        issues.map((i) => `  - ${i.key}: ${i.message}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}
