import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
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
/**
 * copy: the checkout's production packages go into the bundle (native addons built for the
 * build host's arch). device: no node_modules in the bundle; the install runs
 * `npm ci --omit=dev` on the device before the switch. none: no node_modules at all.
 */
export type DepsMode = 'copy' | 'device' | 'none';

export interface BundleInput {
  readonly repo: string;
  readonly out: string;
  readonly siteFile: string;
  readonly version?: string;
  readonly deps: DepsMode;
  /** CPU architecture of the target (every supported board is arm64). */
  readonly arch: 'arm64' | 'x64';
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
  // npm ls exits 1 on version warnings (johnny-five pins an old `temporal`) but still lists the tree.
  const r = spawnSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: repo, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error || !r.stdout.trim()) throw new Error(`npm ls --omit=dev failed: ${r.error?.message ?? r.stderr.slice(-2000)}`);
  return r.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .map((l) => relative(repo, l))
    .filter((l) => l.startsWith('node_modules'));
}

/**
 * models/manifest.json and the model files it lists (`models[].file`, checked against their
 * `sha256`), or nothing when the checkout has no model manifest.
 */
async function modelFiles(repo: string): Promise<string[]> {
  const manifestPath = join(repo, 'models', 'manifest.json');
  if (!existsSync(manifestPath)) return [];
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as { models?: { file: string; sha256?: string }[] };
  const out: string[] = ['models/manifest.json'];
  for (const m of manifest.models ?? []) {
    const rel = join('models', m.file);
    const bytes = await readFile(join(repo, rel)).catch(() => {
      throw new Error(`models/manifest.json lists ${m.file}, which is missing: build the models first`);
    });
    const sum = createHash('sha256').update(bytes).digest('hex');
    if (m.sha256 && m.sha256 !== sum) throw new Error(`${rel}: sha256 ${sum} differs from models/manifest.json (${m.sha256}); re-export the model`);
    out.push(rel);
  }
  return out;
}

/**
 * Drops what the target cannot use: onnxruntime-node ships prebuilt binaries for every OS and
 * CPU (≈290 MB; its linux/arm64 build alone is ≈25 MB and is what the boards run), and
 * node-gyp leaves object files next to each compiled addon.
 */
async function pruneForTarget(modules: string, arch: string): Promise<void> {
  const ort = join(modules, 'onnxruntime-node/bin');
  if (existsSync(ort)) {
    for (const napi of await readdir(ort)) {
      for (const os of await readdir(join(ort, napi))) {
        if (os !== 'linux') await rm(join(ort, napi, os), { recursive: true, force: true });
        else for (const a of await readdir(join(ort, napi, os))) if (a !== arch) await rm(join(ort, napi, os, a), { recursive: true, force: true });
      }
    }
  }
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (depth > 4) return;
    for (const e of await readdir(dir, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      const p = join(dir, e.name);
      if (e.name === 'build' && existsSync(join(p, 'Release'))) {
        for (const junk of ['Release/obj.target', 'Release/obj', 'Release/.deps', 'Release/test_extension.node']) await rm(join(p, junk), { recursive: true, force: true });
      } else await walk(p, depth + 1);
    }
  };
  await walk(modules, 0);
  await rm(join(modules, '.cache'), { recursive: true, force: true });
}

/** Packages holding compiled addons (`*.node`) outside onnxruntime-node's per-arch binaries. */
async function nativePackages(modules: string): Promise<string[]> {
  const found = new Set<string>();
  const walk = async (dir: string, pkg: string | null): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        const rel = relative(modules, p).split('/');
        const name = rel[0]!.startsWith('@') ? rel.slice(0, 2).join('/') : rel[0]!;
        if (name !== 'onnxruntime-node') await walk(p, name);
      } else if (e.name.endsWith('.node') && pkg) found.add(pkg);
    }
  };
  await walk(modules, null);
  return [...found].sort();
}

export async function buildBundle(i: BundleInput): Promise<{ dir: string; manifest: Manifest }> {
  const version = i.version ?? (await defaultVersion(i.repo));
  const dir = join(i.out, version);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  if (i.skipBuild) {
    if (!existsSync(join(i.repo, 'dist/firmware/cli/main.js'))) throw new Error(`--skip-build: no dist/firmware/cli/main.js in ${i.repo}; run npm run build first`);
    await cp(join(i.repo, 'dist'), join(dir, 'dist'), { recursive: true, verbatimSymlinks: true });
  } else {
    // Compiled straight into the bundle: the checkout's own dist/ is neither needed nor touched.
    i.log(`build     npm run build -- --outDir ${join(dir, 'dist')}`);
    run('npm', ['run', '--silent', 'build', '--', '--outDir', join(dir, 'dist')], i.repo);
  }
  for (const p of ['bin', 'deploy', 'package.json', 'package-lock.json', '.npmrc']) {
    if (existsSync(join(i.repo, p))) await cp(join(i.repo, p), join(dir, p), { recursive: true, verbatimSymlinks: true });
  }
  if (i.deps === 'copy') {
    const pkgs = productionPackages(i.repo);
    i.log(`deps      ${pkgs.length} production packages from node_modules (native modules built for ${process.arch})`);
    for (const p of pkgs) await cp(join(i.repo, p), join(dir, p), { recursive: true, verbatimSymlinks: true });
    await pruneForTarget(join(dir, 'node_modules'), i.arch);
    const native = await nativePackages(join(dir, 'node_modules'));
    if (i.arch !== process.arch && native.length > 0) {
      i.log(`warning   built on ${process.arch} for ${i.arch}: ${native.join(', ')} contain native code for ${process.arch}; ` +
        `run \`npm rebuild\` in /opt/wayside/current on the device, or build the bundle on an ${i.arch} machine`);
    }
  }
  const models = await modelFiles(i.repo);
  for (const m of models) await cp(join(i.repo, m), join(dir, m));
  if (models.length > 0) i.log(`models    ${models.length - 1} model file(s) + models/manifest.json`);
  await cp(i.siteFile, join(dir, 'site.yaml'));
  const manifest = await writeManifest(dir, version, i.signingKeyPem);
  i.log(`manifest  ${Object.keys(manifest.files).length} files${i.signingKeyPem ? ', signed (ed25519)' : ', unsigned'}`);
  return { dir, manifest };
}
