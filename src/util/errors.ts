// Errors whose message is written for the person running tessera, not for a stack trace. Library
// code that acts on a run's options (src/models/build-model.ts, src/train/run-data.ts and
// src/train/resume.ts) throws them; the command line turns each into its message and
// an exit code (src/cli/main.ts).

/** A mistake in how tessera was called: the message is for the user; the exit code is 2. */
export class UsageError extends Error {
  readonly exitCode = 2;
}

/** A runtime failure (bad file, missing run folder): message for the user, exit code 1. */
export class CliError extends Error {
  readonly exitCode = 1;
}
