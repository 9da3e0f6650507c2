/** What every `reglab` subcommand module exports as `command`; main.ts dispatches to it (and holds the summaries). */
export interface Command {
  /** Runs the command; resolves to the exit code. */
  run(argv: string[]): Promise<number>;
}
