import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countReport } from './test-summary.mjs';

// The summary is checked on reports vitest itself wrote, from fixture test files run by the repo's vitest
// with the JSON reporter, exactly as every package's `test` script runs it.
const repo = fileURLToPath(new URL('..', import.meta.url));
const vitestBin = join(repo, 'node_modules', 'vitest', 'vitest.mjs');
const summaryScript = join(repo, 'scripts', 'test-summary.mjs');

const fixtures = {
  /** One test file that fails to load because of a missing import, one because of a syntax error. */
  red: {
    'passing.test.mjs': `import { it } from 'vitest';\nit('passes', () => {});\n`,
    'failing.test.mjs': [
      `import { describe, expect, it } from 'vitest';`,
      `describe('a group', () => {`,
      `  it('fails', () => expect(1).toBe(2));`,
      `  it('passes', () => {});`,
      `  it.skip('is skipped', () => {});`,
      `});`,
      '',
    ].join('\n'),
    'missing-import.test.mjs': `import { it } from 'vitest';\nimport './nowhere.mjs';\nit('never runs', () => {});\n`,
    'syntax-error.test.mjs': `import { it } from 'vitest';\nit('never runs', () => {\n`,
    'failing-hook.test.mjs': [
      `import { beforeAll, it } from 'vitest';`,
      `beforeAll(() => { throw new Error('the fixture server did not start'); });`,
      `it('is skipped by its hook', () => {});`,
      '',
    ].join('\n'),
    'failing-describe-hook.test.mjs': [
      `import { beforeAll, describe, it } from 'vitest';`,
      `describe('set up', () => {`,
      `  beforeAll(() => { throw new Error('not in the report'); });`,
      `  it('is skipped by its hook', () => {});`,
      `});`,
      '',
    ].join('\n'),
  },
  green: {
    'one.test.mjs': `import { describe, it } from 'vitest';\ndescribe('g', () => { it('a', () => {}); it('b', () => {}); });\n`,
    'two.test.mjs': `import { it } from 'vitest';\nit('c', () => {});\nit.todo('d');\n`,
  },
};

function run(args, options = {}) {
  return new Promise((done) => {
    execFile(process.execPath, args, { timeout: 120_000, ...options }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

let work;
const reports = {};

/** Runs vitest over one fixture set and returns the JSON report it wrote. */
async function vitestReport(name) {
  const dir = join(work, 'fixtures', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  for (const [file, text] of Object.entries(fixtures[name])) writeFileSync(join(dir, file), text);
  const reportPath = join(dir, 'report.json');
  const { stdout, stderr } = await run(
    [vitestBin, 'run', '--root', dir, '--reporter=json', `--outputFile.json=${reportPath}`],
    { cwd: dir, env: { ...process.env, NO_COLOR: '1', CI: '1' } },
  );
  try {
    return JSON.parse(readFileSync(reportPath, 'utf8'));
  } catch {
    throw new Error(`vitest wrote no report for ${name}:\n${stdout}\n${stderr}`);
  }
}

/** A repo layout as the summary reads it, each package with the report given (or none). */
function repoWith(name, packages) {
  const root = join(work, name);
  for (const [pkg, report] of Object.entries(packages)) {
    const dir = join(root, 'packages', pkg);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: `@x/${pkg}`, scripts: { test: 'vitest' } }),
    );
    if (report) writeFileSync(join(dir, '.vitest-report.json'), JSON.stringify(report));
  }
  return root;
}

const summary = (root, env = {}) =>
  run([summaryScript, '--root', root], { env: { ...process.env, CHATTRAIL_FAILED_STEPS: '', ...env } });

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'chattrail-test-summary-'));
  [reports.red, reports.green] = await Promise.all([vitestReport('red'), vitestReport('green')]);
});
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('test-summary', () => {
  it("reads vitest's report as the fixtures ran: describe blocks inflate numFailedTestSuites", () => {
    // The bug this script had: it added numFailedTestSuites, which counts the failed describe blocks too.
    expect(reports.red.numFailedTestSuites).toBeGreaterThan(2);
    const counts = countReport(reports.red);
    expect(counts).toMatchObject({ passed: 2, failed: 1, skipped: 3 });
    expect(counts.unloaded.map((entry) => entry.file.split('/').pop()).sort()).toEqual([
      'missing-import.test.mjs',
      'syntax-error.test.mjs',
    ]);
    expect(counts.unloaded.find((e) => e.file.endsWith('missing-import.test.mjs')).message).toContain(
      'nowhere.mjs',
    );
    const byName = (entries) =>
      Object.fromEntries(entries.map(({ file, message }) => [file.split('/').pop(), message]));
    expect(byName(counts.failedOutsideTests)).toEqual({
      'failing-hook.test.mjs': 'the fixture server did not start',
      // A hook failing inside a describe block leaves no message in the report.
      'failing-describe-hook.test.mjs': 'no message in the report (see the vitest output above)',
    });
  });

  it('counts each file that failed to load or failed in a hook once, names it, and exits 1', async () => {
    const root = repoWith('red-repo', { red: reports.red, green: reports.green });
    const { code, stdout } = await summary(root);
    expect(code).toBe(1);
    const lines = stdout.trim().split('\n');
    expect(lines).toContain('2 test file(s) failed to load; each counts as a failure:');
    expect(lines.some((l) => /^ {2}.*missing-import\.test\.mjs: .*nowhere\.mjs/.test(l))).toBe(true);
    expect(lines).toContain(
      '2 test file(s) failed outside their tests (in a hook); each counts as a failure:',
    );
    // 2 + 3 passed; 1 failed test + 2 files that did not load + 2 whose hook failed; 3 skipped + 1 todo.
    expect(lines.at(-1)).toBe('tests: 5 passed, 5 failed, 4 skipped');
  });

  it('is green on green reports, and red for a missing report or a failed step', async () => {
    const green = await summary(repoWith('green-repo', { green: reports.green }));
    expect(green).toMatchObject({ code: 0, stdout: 'tests: 3 passed, 0 failed, 1 skipped\n' });

    const missing = await summary(repoWith('missing-repo', { green: reports.green, silent: undefined }));
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain('no test report from @x/silent: its test task did not run or crashed');
    expect(missing.stdout).toContain('tests: 3 passed, 1 failed, 1 skipped');

    const step = await summary(repoWith('step-repo', { green: reports.green }), {
      CHATTRAIL_FAILED_STEPS: 'biome,turbo',
    });
    expect(step.code).toBe(1);
    expect(step.stdout).toContain('failed checks: biome, turbo');
  });

  it('says so when no test ran at all', async () => {
    const { code, stdout } = await summary(repoWith('empty-repo', {}));
    expect(code).toBe(1);
    expect(stdout).toBe('no test ran\ntests: 0 passed, 0 failed, 0 skipped\n');
  });
});
