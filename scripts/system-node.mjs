import { execFileSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { StepError } from './step-error.mjs';

/** The system node (`CHATTRAIL_SYSTEM_NODE`, else /usr/bin/node; Node 20 is the packages' floor) and its npm. */
export function systemNode() {
  const node = process.env.CHATTRAIL_SYSTEM_NODE || '/usr/bin/node';
  if (!existsSync(node)) throw new StepError(`no system node at ${node} (set CHATTRAIL_SYSTEM_NODE)`);
  const version = execFileSync(node, ['-p', 'process.versions.node'], {
    encoding: 'utf8',
    timeout: 30_000,
  }).trim();
  if (Number(version.split('.')[0]) < 20)
    throw new StepError(`${node} is v${version}; the packages promise Node >=20`);
  // The npm that ships with that node, run by that node: what a user on it would type.
  const npmLink = join(dirname(node), 'npm');
  if (!existsSync(npmLink)) throw new StepError(`no npm next to ${node}`);
  // Usually a link to npm-cli.js, run by that node; a shell wrapper runs as is (PATH has that node first).
  const target = realpathSync(npmLink);
  const npm = /\.[cm]?js$/.test(target) ? [node, target] : [npmLink];
  return { node, version, npm };
}
