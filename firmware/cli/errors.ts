/**
 * An error meant for the operator: printed to stderr as is (no stack) and ending the
 * process with `exitCode`. 1 = the input is wrong (a site file, a CSV), 2 = usage or an
 * unknown name (a board, a backend), 3 = the environment (a broker unreachable, a file missing).
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}
