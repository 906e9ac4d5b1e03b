#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { ZodError } from 'zod';
import { CliError } from './errors.js';
import { HalError } from '../../drivers/hal/errors.js';
import * as anomaly from './commands/anomaly.js';
import * as boards from './commands/boards.js';
import * as check from './commands/check.js';
import * as fleet from './commands/fleet.js';
import * as keys from './commands/keys.js';
import * as models from './commands/models.js';
import * as profile from './commands/profile.js';
import * as run from './commands/run.js';
import * as traffic from './commands/traffic.js';
import * as uplink from './commands/uplink.js';

/**
 * The `wayside` command. Each command group lives in commands/<group>.ts and registers
 * itself; heavy modules (onnxruntime, mqtt, fastify) are imported inside the actions so
 * `wayside boards list` starts fast on a Pi.
 */
export function buildProgram(): Command {
  const program = new Command('wayside')
    .description('Firmware host for road-side traffic cabinets')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  for (const group of [boards, check, run, traffic, anomaly, models, uplink, keys, fleet, profile]) {
    group.register(program);
  }
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    return report(err);
  }
}

function report(err: unknown): number {
  if (err instanceof CommanderError) {
    // commander already printed its message (or help / version, with exitCode 0)
    return err.exitCode === 0 ? 0 : 2;
  }
  if (err instanceof CliError) {
    process.stderr.write(`wayside: ${err.message}\n`);
    return err.exitCode;
  }
  if (err instanceof HalError) {
    process.stderr.write(`wayside: hardware error (${err.kind}): ${err.message}\n`);
    return 3;
  }
  if (err instanceof ZodError) {
    for (const issue of err.issues) process.stderr.write(`wayside: ${issue.path.join('.') || '(root)'}: ${issue.message}\n`);
    return 1;
  }
  process.stderr.write(`wayside: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return 70;
}

const code = await main(process.argv);
process.exitCode = code;
