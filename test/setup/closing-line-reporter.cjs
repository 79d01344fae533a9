// Mocha's spec reporter, plus one closing line in the plain form CI reads for any test runner:
// "tests: N passed, N failed, N skipped". Mocha's own summary ("N passing") is not among the forms it reads.
'use strict';
const Mocha = require('mocha');

class ClosingLineReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const { passes, failures, pending } = this.stats;
      process.stdout.write(`\ntests: ${passes} passed, ${failures} failed, ${pending} skipped\n`);
    });
  }
}

module.exports = ClosingLineReporter;
