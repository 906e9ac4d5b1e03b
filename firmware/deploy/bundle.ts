import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { writeManifest, type Manifest } from './manifest.js';

/**
 * The release bundle: compiled code (dist/), the CLI entry (bin/), deploy/ templates,
 * package.json + lock, production node_modules, models with their manifest, the site file,
 * and MANIFEST.json (+ MANIFEST.sig). Same sources → same files → same manifest: nothing
 * in it carries a timestamp, and the version comes from package.json and git.
 */
export type DepsMode = 'copy' | 'none';

export interface BundleInput {
  readonly repo: string;
  readonly out: string;
  readonly siteFile: string;
  readonly version?: string;
  /** copy: the repo's production packages (built for this host's arch); none: `npm ci --omit=dev` on the device. */
  readonly deps: DepsMode;
  readonly skipBuild: boolean;
  readonly signingKeyPem?: string;
  readonly log: (line: string) => void;
}

function run(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}:\n${(r.stderr || r.stdout).slice(-4000)}`);
  return r.stdout;
}

/** `0.1.0-ea69b03` (`-dirty` when the work tree has uncommitted changes). */
export async function defaultVersion(repo: string): Promise<string> {
  const pkg = JSON.parse(await readFile(join(repo, 'package.json'), 'utf8')) as { version: string };
  const r = spawnSync('git', ['describe', '--always', '--dirty', '--abbrev=7', '--match', 'NO-TAGS'], { cwd: repo, encoding: 'utf8' });
  const rev = r.status === 0 ? r.stdout.trim() : 'nogit';
  return `${pkg.version}-${rev}`;
}

/** Directories of the production dependency tree, relative to the repo (`node_modules/zod`, …). */
function productionPackages(repo: string): string[] {
  const out = run('npm', ['ls', '--omit=dev', '--all', '--parseable'], repo);
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .map((l) => relative(repo, l))
    .filter((l) => l.startsWith('node_modules'));
}

async function modelFiles(repo: string): Promise<string[]> {
  const models = join(repo, 'models');
  if (!existsSync(join(models, 'manifest.json'))) return [];
  const out: string[] = ['models/manifest.json'];
  const walk = async (dir: string) => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.name.endsWith('.onnx')) out.push(relative(repo, p));
    }
  };
  await walk(models);
  return out.sort();
}

export async function buildBundle(i: BundleInput): Promise<{ dir: string; manifest: Manifest }> {
  const version = i.version ?? (await defaultVersion(i.repo));
  if (!i.skipBuild) {
    i.log('build     npm run build (tsc -> dist/)');
    run('npm', ['run', '--silent', 'build'], i.repo);
  }
  if (!existsSync(join(i.repo, 'dist/firmware/cli/main.js'))) throw new Error(`no dist/firmware/cli/main.js in ${i.repo}: run npm run build (or drop --skip-build)`);
  const dir = join(i.out, version);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  for (const p of ['dist', 'bin', 'deploy', 'package.json', 'package-lock.json', '.npmrc']) {
    if (existsSync(join(i.repo, p))) await cp(join(i.repo, p), join(dir, p), { recursive: true, verbatimSymlinks: true });
  }
  await rm(join(dir, 'dist/test'), { recursive: true, force: true });
  if (i.deps === 'copy') {
    const pkgs = productionPackages(i.repo);
    i.log(`deps      ${pkgs.length} production packages from node_modules (native modules built for ${process.arch})`);
    for (const p of pkgs) await cp(join(i.repo, p), join(dir, p), { recursive: true, verbatimSymlinks: true });
    // Development-only trees that production packages may contain.
    await rm(join(dir, 'node_modules/.cache'), { recursive: true, force: true });
  }
  const models = await modelFiles(i.repo);
  for (const m of models) await cp(join(i.repo, m), join(dir, m));
  if (models.length > 0) i.log(`models    ${models.length - 1} model file(s) + models/manifest.json`);
  await cp(i.siteFile, join(dir, 'site.yaml'));
  const manifest = await writeManifest(dir, version, i.signingKeyPem);
  i.log(`manifest  ${Object.keys(manifest.files).length} files${i.signingKeyPem ? ', signed (ed25519)' : ', unsigned'}`);
  return { dir, manifest };
}
