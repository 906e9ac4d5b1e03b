import type { Command } from 'commander';

/** Registers the `models` command(s); filled in by the issue that owns them. */
export function register(_program: Command): void {}
