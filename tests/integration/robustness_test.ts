/**
 * Bad SQL never crashes the engine: random token sequences and mutated corpus queries produce
 * results or DbErrors, nothing else, and the data stays intact. A fixed-seed slice of the
 * properties in `tests/robustness/robustness.ts`; `deno task robustness` runs a long one.
 */
import { runRobustness } from "../robustness/robustness.ts";

/** Cases per property in the default test run. */
const casesPerProperty = 1_500;

Deno.test("random tokens and mutated corpus queries give results or DbErrors, never crashes", async () => {
  const summary = await runRobustness({ cases: 2 * casesPerProperty, seed: 20261126 });
  if (summary.corpus.source === "builtin") {
    console.warn("robustness: the conformance folder is missing; used the built-in seeds");
  }
  const failure = summary.distinctFailures[0];
  if (failure !== undefined) throw new Error(failure.report(), { cause: failure });
  if (summary.cases !== 2 * casesPerProperty) {
    throw new Error(`ran ${summary.cases} cases, expected ${2 * casesPerProperty}`);
  }
});
