import type { Command } from 'commander';
import { CliError } from '../errors.js';

/** `wayside keys generate FILE`: a new Fernet key (what Python's Fernet.generate_key() writes), mode 0600. */
export function register(program: Command): void {
  const keys = program.command('keys').description('Fernet keys for the encrypted uplink');

  keys
    .command('generate')
    .description('Write a new Fernet key to FILE (mode 0600); refuses to replace an existing file')
    .argument('<file>', 'key file to create')
    .option('--force', 'replace FILE if it exists')
    .option('--json', 'machine-readable output')
    .action(async (file: string, opts: { force?: boolean; json?: boolean }) => {
      const { writeNewKeyFile } = await import('../../uplink/key-file.js');
      try {
        await writeNewKeyFile(file, { force: opts.force ?? false });
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        if (e.code === 'EEXIST') throw new CliError(`${file} already exists; use --force to replace it (devices using the old key will stop decrypting)`, 1);
        throw new CliError(`cannot write ${file}: ${e.message}`, 3);
      }
      // The key itself is never printed: it would end up in shell history and CI logs.
      if (opts.json) process.stdout.write(JSON.stringify({ file, mode: '0600' }) + '\n');
      else process.stdout.write(`wrote a new Fernet key to ${file} (mode 0600)\n`);
    });
}
