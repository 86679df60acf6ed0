import assert from "node:assert/strict";
import { parseSuiteArgs, runSuite, SuiteArgsError } from "./main.ts";
import type { WorkloadEntry } from "./workloads.ts";

Deno.test("parseSuiteArgs: defaults, quick and bad values", () => {
  const full = parseSuiteArgs([]);
  assert.equal(full.rows, 10_000_000);
  assert.equal(full.highCardRows, 10_000_000);
  assert.equal(full.highCardHosts, 100_000);
  assert.deepEqual(full.highCardEngines, ["omendb", "duckdb", "sqlite", "influxdb"]);
  const quick = parseSuiteArgs(["--quick", "--rows", "5000"]);
  assert.equal(quick.rows, 5000);
  assert.equal(quick.highCardRows, 5000);
  assert.equal(quick.repeat, 20);
  assert.throws(() => parseSuiteArgs(["--engines", "oracle"]), SuiteArgsError);
  assert.throws(() => parseSuiteArgs(["--only", "nope"]), /unknown workload "nope"/);
  assert.throws(() => parseSuiteArgs(["--rows", "0"]), /--rows must be an integer/);
  assert.throws(() => parseSuiteArgs(["--bogus"]), SuiteArgsError);
});

Deno.test("runSuite keeps going after a failed workload, writes JSON and Markdown, exits 1", async () => {
  const out = await Deno.makeTempDir({ prefix: "omendb-suite-test-" });
  const record = {
    metric: "latency",
    value: 1,
    unit: "ms",
    p50: 1,
    p99: 2,
    n: 3,
  } as const;
  const seen: number[] = [];
  const entries: WorkloadEntry[] = [
    {
      name: "fails",
      smoke: false,
      run: () => Promise.reject(new Error("engines disagree")),
    },
    {
      name: "passes",
      smoke: false,
      highCardinality: true,
      run: (ctx) => {
        seen.push(ctx.hosts);
        return Promise.resolve([{
          ...record,
          workload: "passes",
          engine: "omendb",
          rows: ctx.rows,
          hosts: ctx.hosts,
        }]);
      },
    },
  ];
  try {
    const args = parseSuiteArgs([
      "--quick",
      "--rows",
      "400",
      "--hosts",
      "4",
      "--high-card-hosts",
      "100",
      "--engines",
      "omendb",
      "--out",
      out,
    ]);
    const printed: string[] = [];
    const code = await runSuite(args, entries, (line) => printed.push(line));
    assert.equal(printed.at(-1), "2 passed, 1 failed");
    assert.equal(code, 1);
    assert.deepEqual(seen, [4, 100]); // the main data set, then the high-cardinality one
    const files = [...Deno.readDirSync(out)].map((f) => f.name).sort();
    const json = files.find((f) => f.endsWith("-quick.json"))!;
    const report = JSON.parse(Deno.readTextFileSync(`${out}/${json}`));
    assert.equal(report.records.length, 2);
    assert.equal(report.failures.length, 1);
    assert.ok(report.machine.cores >= 1);
    assert.equal(report.versions.deno, Deno.version.deno);
    const md = Deno.readTextFileSync(`${out}/${json.replace(".json", ".md")}`);
    assert.match(md, /## Failed workloads/);
    assert.match(md, /engines disagree/);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
