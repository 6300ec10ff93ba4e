/** A setting, flag or config file the user must change: the CLI prints its message and exits 2. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
