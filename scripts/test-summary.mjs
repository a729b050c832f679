// Adds up every package's vitest JSON report and prints the closing line CI reads:
// `tests: N passed, N failed, N skipped`. Exits 1 when anything failed or when no test ran, so a
// silently empty run can never look green.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
let passed = 0;
let failed = 0;
let skipped = 0;
let suitesFailed = 0;
const missing = [];

for (const group of ['packages', 'apps']) {
  const dir = join(root, group);
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir)) {
    const pkgJson = join(dir, name, 'package.json');
    if (!existsSync(pkgJson)) continue;
    const pkg = JSON.parse(readFileSync(pkgJson, 'utf8'));
    if (!pkg.scripts?.test) continue;
    const reportPath = join(dir, name, '.vitest-report.json');
    if (!existsSync(reportPath)) {
      missing.push(pkg.name);
      continue;
    }
    const report = JSON.parse(readFileSync(reportPath, 'utf8'));
    passed += report.numPassedTests ?? 0;
    failed += report.numFailedTests ?? 0;
    skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
    // A suite that fails to load (syntax error, missing import) has no failed *tests*; count it.
    suitesFailed += report.numFailedTestSuites ?? 0;
  }
}

for (const name of missing) console.log(`no test report from ${name}: its test task did not run or crashed`);
if (suitesFailed > 0) console.log(`${suitesFailed} test file(s) failed to load; each counts as a failure`);
const failedSteps = (process.env.CHATTRAIL_FAILED_STEPS ?? '').split(',').filter(Boolean);
if (failedSteps.length > 0) console.log(`failed checks: ${failedSteps.join(', ')}`);
failed += suitesFailed + missing.length;
const noneRan = passed + failed === 0;
if (noneRan) console.log('no test ran');
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || noneRan || failedSteps.length > 0 ? 1 : 0);
