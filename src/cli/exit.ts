/** Ends the command with an exit code when the output has already been printed (e.g. --json results). */
export class SilentExit extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
  }
}
