// Adds up every vitest JSON report of the repo and prints the closing line CI reads:
// `tests: N passed, N failed, N skipped`. Exits 1 when anything failed or when no test ran, so a
// silently empty run can never look green.
//
// Reports read: `.vitest-report.json` of every package in packages/* and apps/* with a `test` script, and
// scripts/.vitest-report.json (the tests of these scripts) when scripts/vitest.config.mjs exists.
//
// usage: node scripts/test-summary.mjs [--root <repo>]   (or CHATTRAIL_REPO_ROOT=<repo>)
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * What one vitest JSON report adds to the closing line. A file vitest could not load (syntax error,
 * missing import, no test in it) has status `failed`, a message and no test results; a file whose hook
 * failed has status `failed` and tests that were skipped or passed. Neither shows in `numFailedTests`, so
 * each such file counts as one failure. (vitest's `numFailedTestSuites` is no count of files: it counts
 * every failed describe block too.)
 */
export function countReport(report) {
  const unloaded = [];
  const failedOutsideTests = [];
  for (const file of report.testResults ?? []) {
    if (file.status !== 'failed') continue;
    const tests = file.assertionResults ?? [];
    // Its failed tests are counted already.
    if (tests.some((test) => test.status === 'failed')) continue;
    const entry = { file: file.name, message: firstLine(file.message) };
    (tests.length === 0 ? unloaded : failedOutsideTests).push(entry);
  }
  return {
    passed: report.numPassedTests ?? 0,
    failed: report.numFailedTests ?? 0,
    skipped: (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0),
    unloaded,
    failedOutsideTests,
  };
}

function firstLine(message) {
  const line = String(message ?? '')
    .trim()
    .split('\n')[0];
  // A hook failing inside a describe block leaves no message in the report; vitest's own output has it.
  return line === '' ? 'no message in the report (see the vitest output above)' : line;
}

/** Where the repo's reports are: `{ name, path }` per test suite that must have left one. */
export function reportLocations(root) {
  const locations = [];
  for (const group of ['packages', 'apps']) {
    const dir = join(root, group);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      const pkgJson = join(dir, name, 'package.json');
      if (!existsSync(pkgJson)) continue;
      const pkg = JSON.parse(readFileSync(pkgJson, 'utf8'));
      if (!pkg.scripts?.test) continue;
      locations.push({ name: pkg.name, path: join(dir, name, '.vitest-report.json') });
    }
  }
  if (existsSync(join(root, 'scripts', 'vitest.config.mjs'))) {
    locations.push({ name: 'scripts', path: join(root, 'scripts', '.vitest-report.json') });
  }
  return locations;
}

/** The lines to print and the exit code, for the reports under `root`. */
export function summarize(root, failedSteps = []) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const lines = [];
  const missing = [];
  const unloaded = [];
  const failedOutsideTests = [];
  for (const { name, path } of reportLocations(root)) {
    if (!existsSync(path)) {
      missing.push(name);
      continue;
    }
    const counts = countReport(JSON.parse(readFileSync(path, 'utf8')));
    passed += counts.passed;
    failed += counts.failed;
    skipped += counts.skipped;
    unloaded.push(...counts.unloaded);
    failedOutsideTests.push(...counts.failedOutsideTests);
  }
  const where = (file) => relative(root, file) || file;
  for (const name of missing) lines.push(`no test report from ${name}: its test task did not run or crashed`);
  if (unloaded.length > 0) {
    lines.push(`${unloaded.length} test file(s) failed to load; each counts as a failure:`);
    for (const { file, message } of unloaded) lines.push(`  ${where(file)}: ${message}`);
  }
  if (failedOutsideTests.length > 0) {
    lines.push(
      `${failedOutsideTests.length} test file(s) failed outside their tests (in a hook); each counts as a failure:`,
    );
    for (const { file, message } of failedOutsideTests) lines.push(`  ${where(file)}: ${message}`);
  }
  if (failedSteps.length > 0) lines.push(`failed checks: ${failedSteps.join(', ')}`);
  failed += unloaded.length + failedOutsideTests.length + missing.length;
  const noneRan = passed + failed === 0;
  if (noneRan) lines.push('no test ran');
  lines.push(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  return { lines, exitCode: failed > 0 || noneRan || failedSteps.length > 0 ? 1 : 0 };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const rootArg = process.argv.indexOf('--root');
  const root = resolve(
    rootArg > 0
      ? process.argv[rootArg + 1]
      : (process.env.CHATTRAIL_REPO_ROOT ?? fileURLToPath(new URL('..', import.meta.url))),
  );
  const failedSteps = (process.env.CHATTRAIL_FAILED_STEPS ?? '').split(',').filter(Boolean);
  const { lines, exitCode } = summarize(root, failedSteps);
  for (const line of lines) console.log(line);
  process.exit(exitCode);
}
