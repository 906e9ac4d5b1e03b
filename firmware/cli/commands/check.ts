import type { Command } from 'commander';

/** Registers the `check` command(s); filled in by the issue that owns them. */
export function register(_program: Command): void {}
