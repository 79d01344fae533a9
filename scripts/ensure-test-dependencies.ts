/** Part of `npm test`: finds redis-server and PostgreSQL, installs them with apt-get when root, or exits with how to get them. */
import { spawnSync } from 'node:child_process';
import { planTestDependencies, TEST_DEPENDENCIES } from './test-dependencies';

const missing = () => TEST_DEPENDENCIES.filter((dependency) => dependency.find() === undefined);

const plan = planTestDependencies(missing(), {
  isRoot: process.getuid?.() === 0,
  hasAptGet: !spawnSync('apt-get', ['--version']).error,
});
if (plan.action === 'fail') {
  console.error(plan.message);
  process.exit(1);
}
if (plan.action === 'apt-get') {
  console.error(`test dependencies: apt-get install ${plan.packages.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', ...plan.packages]]) {
    const result = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env });
    if (result.status !== 0) {
      console.error(`apt-get ${args[0]} failed; install ${plan.packages.join(' ')} yourself and run the tests again.`);
      process.exit(1);
    }
  }
  const still = missing();
  if (still.length > 0) {
    console.error(`still missing after apt-get: ${still.map((dependency) => dependency.name).join(', ')}`);
    process.exit(1);
  }
}
