/**
 * Typed errors for bad input. Library code throws these; the CLI maps every ReglabError to one line on
 * stderr and exit code 2. Anything else escaping to the CLI is a bug (exit code 1).
 */
export class ReglabError extends Error {
  override name = 'ReglabError';
}

/** A flag, option or config field out of range or of the wrong kind. */
export class ConfigError extends ReglabError {
  override name = 'ConfigError';
}

/**
 * A run setting of the wrong kind, out of range or in conflict with another. `setting` names it (a RunConfig
 * key, dotted when nested: `earlyStopping.patience`); `mentions`, the other settings the message names. The
 * message speaks of settings only: a client (the CLI's flags, the lab's labels) rewrites those names.
 */
export class SettingError extends ConfigError {
  override name = 'SettingError';
  constructor(
    readonly setting: string,
    message: string,
    readonly mentions: readonly string[] = [],
  ) {
    super(message);
  }
}

/** A data file (IDX, PNG, folder) that is missing, malformed or inconsistent. */
export class DataError extends ReglabError {
  override name = 'DataError';
}

/** A model or checkpoint file that is foreign, truncated, corrupted or does not fit the data. */
export class ModelFileError extends ReglabError {
  override name = 'ModelFileError';
}

/**
 * A value from a file, quoted for an error message: never throws (String() does on {"toString": 1}), never
 * runs code, and is cut to a readable length.
 */
export function show(v: unknown): string {
  let s: string;
  try {
    s = typeof v === 'number' ? String(v) : v === undefined ? 'nothing' : (JSON.stringify(v) ?? typeof v);
  } catch {
    s = typeof v;
  }
  return s.length > 40 ? s.slice(0, 37) + '...' : s;
}
