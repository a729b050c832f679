// Checks what we would publish, from the tarballs themselves rather than the source folders: every
// non-private package in packages/* is packed with `pnpm pack` (which rewrites workspace: ranges exactly
// as `changeset publish` will) into .release-check/, then linted with publint --strict (warnings fail) and
// @arethetypeswrong/cli (default profile: ESM + CJS types must both resolve), plus the package policy the
// repo promises (engines.node, license, sideEffects, README, public access). Prints one row per package
// and exits 1 on any problem. Packages must be built first (`turbo run build`); dev.sh does that.
//
// usage: node scripts/release-check.mjs [--root <repo>]   (or CHATTRAIL_REPO_ROOT=<repo>)
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publicPackages } from './public-packages.mjs';

const scriptRepo = resolve(fileURLToPath(new URL('..', import.meta.url)));
const rootArg = process.argv.indexOf('--root');
const root = resolve(
  rootArg > 0 ? process.argv[rootArg + 1] : (process.env.CHATTRAIL_REPO_ROOT ?? scriptRepo),
);
// The linters come from this repo's devDependencies, whichever repo is being checked.
const bin = (name) => join(scriptRepo, 'node_modules', '.bin', name);
const outDir = join(root, '.release-check');

// Plain text for parsing: picocolors (publint) reads NO_COLOR and treats any FORCE_COLOR, even "0", as on.
const { FORCE_COLOR, ...inherited } = process.env;
const plainEnv = { ...inherited, NO_COLOR: '1' };

/** Runs a command and resolves with its exit code and output; never rejects. */
function run(cmd, args, options = {}) {
  return new Promise((done) => {
    execFile(
      cmd,
      args,
      { maxBuffer: 64 * 1024 * 1024, timeout: 120_000, ...options, env: plainEnv },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        const spawnError = error && typeof error.code !== 'number' ? `${error.message}\n` : '';
        done({ code, stdout: String(stdout), stderr: spawnError + String(stderr) });
      },
    );
  });
}

/** The promises every public package makes (issue 3), checked on the manifest as packed. */
function policyProblems(source, packed, files) {
  const problems = [];
  if (!packed.engines?.node) problems.push('no engines.node');
  if (!packed.license) problems.push('no license field');
  if (packed.sideEffects !== false) problems.push('sideEffects is not false');
  if (source.publishConfig?.access !== 'public') problems.push('publishConfig.access is not "public"');
  if (!files.some((f) => /^readme(\.md)?$/i.test(f))) problems.push('no README.md in the tarball');
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    for (const [dep, range] of Object.entries(packed[field] ?? {})) {
      if (String(range).startsWith('workspace:')) problems.push(`${field}.${dep} still "${range}"`);
    }
  }
  return problems;
}

async function checkPackage({ dir, manifest }) {
  const row = { name: manifest.name, version: manifest.version, failed: false, details: [] };
  const fail = (column, text) => {
    row.failed = true;
    row[column] = 'FAIL';
    row.details.push(text);
  };
  if (!existsSync(join(dir, 'dist'))) {
    Object.assign(row, { publint: '-', attw: '-', policy: '-' });
    fail('pack', `${relative(root, dir)}/dist is missing: build first (pnpm turbo run build)`);
    return row;
  }

  const pack = await run('pnpm', ['pack', '--json', '--pack-destination', outDir], { cwd: dir });
  let packed;
  try {
    packed = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('{')));
  } catch {}
  if (pack.code !== 0 || !packed?.filename) {
    Object.assign(row, { publint: '-', attw: '-', policy: '-' });
    fail('pack', `pnpm pack failed:\n${(pack.stderr + pack.stdout).trim()}`);
    return row;
  }
  const tarball = packed.filename;
  row.tarball = relative(root, tarball);
  row.pack = `${packed.files.length} files, ${(packed.size / 1024).toFixed(1)} kB`;

  const [publint, attw, manifestFromTarball] = await Promise.all([
    run(bin('publint'), ['run', tarball, '--strict'], { cwd: root }),
    // cwd = root so that a repo-level .attw.json, if one is ever added, applies.
    run(bin('attw'), [tarball, '--format', 'json'], { cwd: root }),
    run('tar', ['-xzOf', tarball, 'package/package.json']),
  ]);

  // publint: errors (and, with --strict, warnings) exit 1; suggestions are shown but do not fail.
  const publintReport = publint.stdout
    .split('\n')
    .filter((line) => !/^(Running publint|Unpacking tarball|Linting\.\.\.|All good!)/.test(line))
    .join('\n')
    .trim();
  if (publint.code !== 0) fail('publint', `publint:\n${publintReport || publint.stderr.trim()}`);
  else {
    row.publint = 'ok';
    const suggestions = publintReport.match(/^\d+\. /gm)?.length ?? 0;
    if (suggestions > 0) {
      row.publint = `ok (${suggestions} suggestion${suggestions > 1 ? 's' : ''})`;
      row.details.push(`publint:\n${publintReport}`);
    }
  }

  let attwJson;
  try {
    attwJson = JSON.parse(attw.stdout);
  } catch {}
  const kinds = Object.keys(attwJson?.problems ?? {});
  if (attw.code === 0 && attwJson && !attwJson.analysis?.types) {
    // attw passes an untyped package; we promise .d.ts + .d.cts, so that is a failure here.
    fail('attw', 'attw: the package ships no types (expected .d.ts for import and .d.cts for require)');
    row.attw = 'no types';
  } else if (attw.code === 0 && attwJson) row.attw = 'ok';
  else {
    // Re-run only on failure for attw's readable per-resolution report.
    const readable = await run(bin('attw'), [tarball, '--format', 'ascii', '--no-color', '--no-emoji'], {
      cwd: root,
    });
    fail('attw', `attw (${kinds.join(', ') || 'error'}):\n${(readable.stdout || attw.stderr).trim()}`);
    if (kinds.length) row.attw = kinds.join(',');
  }

  let packedManifest = {};
  try {
    packedManifest = JSON.parse(manifestFromTarball.stdout);
  } catch {}
  const policy = policyProblems(
    manifest,
    packedManifest,
    packed.files.map((f) => f.path),
  );
  if (policy.length) fail('policy', `policy: ${policy.join('; ')}`);
  else row.policy = 'ok';
  return row;
}

/**
 * Pending changesets must parse as `changeset version` will read them: a front matter of
 * `'<package>': major|minor|patch` lines naming packages of this repo, then a summary. A mangled one
 * (a formatter once turned the front matter into a Markdown heading) only fails at release time otherwise.
 */
function changesetProblems(names) {
  const dir = join(root, '.changeset');
  if (!existsSync(dir)) return [];
  const problems = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.md') && f !== 'README.md')) {
    const text = readFileSync(join(dir, file), 'utf8').replace(/\r\n/g, '\n');
    const match = /^---\n((?:.*\n)*?)---\n\s*(\S[\s\S]*)$/.exec(text);
    if (match === null) {
      problems.push(
        `.changeset/${file}: no front matter (--- / '<package>': bump / ---) followed by a summary`,
      );
      continue;
    }
    const lines = match[1].split('\n').filter((line) => line.trim() !== '');
    if (lines.length === 0) problems.push(`.changeset/${file}: names no package`);
    for (const line of lines) {
      const entry = /^["']([^"']+)["']\s*:\s*(major|minor|patch)\s*$/.exec(line.trim());
      if (entry === null) problems.push(`.changeset/${file}: cannot read "${line}"`);
      else if (!names.has(entry[1])) problems.push(`.changeset/${file}: ${entry[1]} is not a package here`);
    }
  }
  return problems;
}

async function main() {
  const started = Date.now();
  const packages = publicPackages(root);
  const changesets = changesetProblems(new Set(packages.map((p) => p.manifest.name)));
  for (const problem of changesets) console.log(`changeset: ${problem}`);
  if (packages.length === 0) {
    console.log(`release-check: no public packages under ${join(root, 'packages')}`);
    return 1;
  }
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });

  // A small pool: attw loads the TypeScript compiler, so one per core is the sweet spot.
  const rows = new Array(packages.length);
  let next = 0;
  const worker = async () => {
    while (next < packages.length) {
      const i = next++;
      rows[i] = await checkPackage(packages[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(availableParallelism(), packages.length) }, worker));

  const columns = [
    ['package', (r) => r.name],
    ['version', (r) => r.version],
    ['pack', (r) => r.pack ?? 'FAIL'],
    ['publint', (r) => r.publint ?? 'FAIL'],
    ['attw', (r) => r.attw ?? 'FAIL'],
    ['policy', (r) => r.policy ?? 'FAIL'],
  ];
  const cells = [
    columns.map(([title]) => title),
    ...rows.map((r) => columns.map(([, get]) => String(get(r)))),
  ];
  const widths = columns.map((_, c) => Math.max(...cells.map((line) => line[c].length)));
  for (const line of cells)
    console.log(
      line
        .map((cell, c) => cell.padEnd(widths[c]))
        .join('  ')
        .trimEnd(),
    );

  const failed = rows.filter((r) => r.failed);
  for (const r of rows) {
    if (r.details.length === 0) continue;
    console.log(`\n── ${r.name}${r.tarball ? ` (${r.tarball})` : ''}`);
    for (const detail of r.details) console.log(detail.replace(/^/gm, '  '));
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    failed.length
      ? `\nrelease-check: ${failed.length} of ${rows.length} package(s) FAILED (${seconds} s)`
      : `\nrelease-check: ${rows.length} package(s) ok (${seconds} s; tarballs in ${relative(process.cwd(), outDir) || '.'})`,
  );
  if (changesets.length) console.log(`release-check: ${changesets.length} changeset problem(s), see above`);
  return failed.length || changesets.length ? 1 : 0;
}

process.exitCode = await main();
