// Mocha's spec output, closed by the one line CI reads: "N passed, N failed".
const Mocha = require('mocha');
const { EVENT_RUN_END, EVENT_TEST_PASS, EVENT_TEST_FAIL } = Mocha.Runner.constants;

class SpecWithTotals extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    // A test that passed and then failed the leak check (test/helpers/hooks.ts) counts as failed only.
    const passed = new Set();
    let failed = 0;
    runner.on(EVENT_TEST_PASS, (test) => passed.add(test));
    runner.on(EVENT_TEST_FAIL, (test) => {
      passed.delete(test);
      failed++;
    });
    runner.once(EVENT_RUN_END, () => console.log(`\n${passed.size} passed, ${failed} failed`));
  }
}
module.exports = SpecWithTotals;
