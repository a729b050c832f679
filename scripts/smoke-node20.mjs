// Proves the `engines.node: >=20` claim: every built non-private package in packages/* is loaded by the
// machine's own Node 20 (not the toolchain's Node 24) the way a user's app would load it from
// node_modules, once with require() and once with import(), and each `bin` is run with --help.
// The two module systems must resolve to the CJS and ESM builds respectively and expose the same
// non-empty set of export names. Prints one line per package; exits 1 on any failure.
//
// System node: $CHATTRAIL_SYSTEM_NODE (dev.sh records it before the toolchain shadows it), else
// /usr/bin/node. usage: node scripts/smoke-node20.mjs [--root <repo>]   (or CHATTRAIL_REPO_ROOT=<repo>)
import { execFile, execFileSync } from 'node:child_process';
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publicPackages } from './public-packages.mjs';

const MIN_NODE_MAJOR = 20;
const scriptRepo = resolve(fileURLToPath(new URL('..', import.meta.url)));
const rootArg = process.argv.indexOf('--root');
const root = resolve(
  rootArg > 0 ? process.argv[rootArg + 1] : (process.env.CHATTRAIL_REPO_ROOT ?? scriptRepo),
);

function systemNode() {
  const node = process.env.CHATTRAIL_SYSTEM_NODE || '/usr/bin/node';
  try {
    accessSync(node, constants.X_OK);
  } catch {
    return { node, error: `no executable system node at ${node} (set CHATTRAIL_SYSTEM_NODE)` };
  }
  let version;
  try {
    version = execFileSync(node, ['-p', 'process.versions.node'], {
      encoding: 'utf8',
      timeout: 30_000,
    }).trim();
  } catch (error) {
    return { node, error: `${node} does not run: ${error.message}` };
  }
  const major = Number(version.split('.')[0]);
  if (!(major >= MIN_NODE_MAJOR)) {
    return { node, version, error: `${node} is v${version}; the smoke test needs Node ${MIN_NODE_MAJOR}+` };
  }
  return { node, version, major };
}

/** How Node will treat a file: by extension, else by the nearest package.json's "type". */
function moduleFormat(file) {
  if (file.endsWith('.cjs')) return 'cjs';
  if (file.endsWith('.mjs')) return 'esm';
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const pkgJson = join(dir, 'package.json');
    if (existsSync(pkgJson))
      return JSON.parse(readFileSync(pkgJson, 'utf8')).type === 'module' ? 'esm' : 'cjs';
    if (dirname(dir) === dir) return 'cjs';
  }
}

// Each probe prints {resolved, keys} for one package name; they run from the temp dir so that the name
// resolves through its node_modules exactly as in an installed app.
const CJS_PROBE = `const name = process.argv[2];
const resolved = require.resolve(name);
const keys = Object.keys(require(name)).filter((k) => k !== '__esModule').sort();
process.stdout.write(JSON.stringify({ resolved, keys }));
`;
const ESM_PROBE = `import { fileURLToPath } from 'node:url';
const name = process.argv[2];
const resolved = typeof import.meta.resolve === 'function' ? fileURLToPath(import.meta.resolve(name)) : null;
const keys = Object.keys(await import(name)).sort();
process.stdout.write(JSON.stringify({ resolved, keys }));
`;

function run(cmd, args, options) {
  return new Promise((done) => {
    execFile(
      cmd,
      args,
      { timeout: 30_000, maxBuffer: 16 * 1024 * 1024, ...options },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : error.killed ? 'timeout' : 1) : 0;
        done({
          code,
          stdout: String(stdout),
          stderr: String(stderr) || (error && code !== 1 ? error.message : ''),
        });
      },
    );
  });
}

const firstLines = ({ stderr, stdout }) => (stderr || stdout).trim().split('\n').slice(0, 12).join('\n');

async function smokePackage({ dir, manifest }, { node, tmp, env }) {
  const name = manifest.name;
  const problems = [];
  const notes = [];
  if (!existsSync(join(dir, 'dist'))) {
    return {
      name,
      problems: [`${relative(root, dir)}/dist is missing: build first (pnpm turbo run build)`],
      notes,
    };
  }
  const linkPath = join(tmp, 'node_modules', name);
  mkdirSync(dirname(linkPath), { recursive: true });
  symlinkSync(dir, linkPath, 'dir');

  const probe = async (file, kind) => {
    const result = await run(node, [join(tmp, file), name], { cwd: tmp, env });
    if (result.code !== 0) {
      problems.push(
        `${kind} failed (${result.code === 'timeout' ? 'timed out' : `exit ${result.code}`}):\n${firstLines(result)}`,
      );
      return null;
    }
    return JSON.parse(result.stdout);
  };
  const [cjs, esm] = await Promise.all([probe('probe.cjs', 'require()'), probe('probe.mjs', 'import()')]);

  if (cjs) {
    if (cjs.keys.length === 0) problems.push('require() yields no exports');
    if (moduleFormat(cjs.resolved) !== 'cjs') {
      // Node >=20.19 can require() an ES module, which would hide a missing CJS build from this test.
      problems.push(
        `require() resolved to an ES module (${relative(dir, cjs.resolved)}); point "require" at the CJS build`,
      );
    }
    notes.push(`require → ${relative(dir, cjs.resolved)}`);
  }
  if (esm) {
    if (esm.keys.length === 0) problems.push('import() yields no exports');
    if (esm.resolved) {
      if (moduleFormat(esm.resolved) !== 'esm') {
        problems.push(
          `import() resolved to a CommonJS file (${relative(dir, esm.resolved)}); point "import" at the ESM build`,
        );
      }
      notes.push(`import → ${relative(dir, esm.resolved)}`);
    }
  }
  if (cjs && esm) {
    const onlyCjs = cjs.keys.filter((k) => !esm.keys.includes(k));
    const onlyEsm = esm.keys.filter((k) => !cjs.keys.includes(k));
    if (onlyCjs.length || onlyEsm.length) {
      const diff = [
        onlyCjs.length && `only in CJS: ${onlyCjs.join(', ')}`,
        onlyEsm.length && `only in ESM: ${onlyEsm.join(', ')}`,
      ];
      problems.push(`CJS and ESM export different names (${diff.filter(Boolean).join('; ')})`);
    } else notes.push(`${cjs.keys.length} export${cjs.keys.length === 1 ? '' : 's'}`);
  }

  const bins =
    typeof manifest.bin === 'string'
      ? { [name.replace(/^@[^/]+\//, '')]: manifest.bin }
      : (manifest.bin ?? {});
  for (const [binName, binPath] of Object.entries(bins)) {
    const result = await run(node, [join(linkPath, binPath), '--help'], { cwd: tmp, env, timeout: 15_000 });
    if (result.code === 0) notes.push(`${binName} --help ok`);
    else {
      const how = result.code === 'timeout' ? 'did not exit within 15 s' : `exited ${result.code}`;
      problems.push(`${binName} --help ${how}:\n${firstLines(result)}`);
    }
  }
  return { name, problems, notes };
}

async function main() {
  const sys = systemNode();
  if (sys.error) {
    console.log(`smoke-node20: ${sys.error}`);
    return 1;
  }
  const packages = publicPackages(root);
  if (packages.length === 0) {
    console.log(`smoke-node20: no public packages under ${join(root, 'packages')}`);
    return 1;
  }
  console.log(`smoke-node20: loading ${packages.length} package(s) with ${sys.node} (v${sys.version})`);
  if (sys.major !== MIN_NODE_MAJOR) {
    console.log(
      `  note: system node is v${sys.version}, so this run does not prove Node ${MIN_NODE_MAJOR} itself`,
    );
  }

  const tmp = mkdtempSync(join(tmpdir(), 'chattrail-smoke-'));
  const cleanup = () => rmSync(tmp, { recursive: true, force: true });
  process.once('SIGINT', () => {
    cleanup();
    process.exit(130);
  });
  try {
    writeFileSync(join(tmp, 'package.json'), '{"private":true}\n');
    writeFileSync(join(tmp, 'probe.cjs'), CJS_PROBE);
    writeFileSync(join(tmp, 'probe.mjs'), ESM_PROBE);
    // Children see the system node first on PATH, so anything they spawn as `node` is Node 20 too.
    const path = [dirname(sys.node), ...(process.env.PATH ?? '').split(delimiter)].join(delimiter);
    const env = { ...process.env, PATH: path, NODE_OPTIONS: '', NO_COLOR: '1' };

    const results = await Promise.all(packages.map((pkg) => smokePackage(pkg, { node: sys.node, tmp, env })));
    const width = Math.max(...results.map((r) => r.name.length));
    for (const r of results) {
      console.log(
        `${r.problems.length ? 'FAIL' : 'ok  '}  ${r.name.padEnd(width)}  ${r.notes.join(', ')}`.trimEnd(),
      );
      for (const problem of r.problems) console.log(problem.replace(/^/gm, '      ').replace(/\n/g, '\n  '));
    }
    const failed = results.filter((r) => r.problems.length).length;
    console.log(
      failed
        ? `smoke-node20: ${failed} of ${results.length} package(s) FAILED on node v${sys.version}`
        : `smoke-node20: ${results.length} package(s) load as CJS and ESM on node v${sys.version}`,
    );
    return failed ? 1 : 0;
  } finally {
    cleanup();
  }
}

process.exitCode = await main();
