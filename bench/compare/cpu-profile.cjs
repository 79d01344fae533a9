/**
 * Loaded with NODE_OPTIONS=--require (which refuses --cpu-prof): profiles the whole process and writes
 * a V8 .cpuprofile into BENCH_CPU_PROFILE_DIR when it exits. The in-thread inspector session answers
 * synchronously, so the profile is taken and written inside the exit handler.
 */
const fs = require('node:fs');
const path = require('node:path');
const { Session } = require('node:inspector');

const dir = process.env.BENCH_CPU_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 200 });
  session.post('Profiler.start');
  process.on('exit', () => {
    session.post('Profiler.stop', (error, result) => {
      if (!error) fs.writeFileSync(path.join(dir, `api-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
