/** CLI errors and the exit codes they map to. */

/** Exit codes: 0 done; 1 the answer is "no" (an invalid proof, a reverted transaction); 2 bad usage; 3 the environment is missing something. */
export const EXIT = { ok: 0, failed: 1, usage: 2, environment: 3 } as const;

/** The command line is wrong: exit 2, with the command's usage. */
export class UsageError extends Error {
  override name = "UsageError";
  readonly command: string;
  constructor(command: string, message: string) {
    super(message);
    this.command = command;
  }
}

/** Something the command needs is not there (a chain, a deployments file, a data directory): exit 3. */
export class EnvironmentError extends Error {
  override name = "EnvironmentError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
