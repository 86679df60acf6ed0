import assert from "node:assert/strict";
import { formatValue, Types } from "../mod.ts";
import { generateCpuBatches } from "../tests/data/tsbs.ts";
import { busiestReadingsSql, exampleDurationSeconds, exampleHostsDefault } from "./embedded.ts";

const examplePath = new URL("./embedded.ts", import.meta.url).pathname;

async function runExample(
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", examplePath, ...args],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}

/** The busiest readings, computed from the generator without the database. */
function expectedBusiest(hosts: number): string[] {
  const rows: { host: string; time: number; user: number }[] = [];
  for (const b of generateCpuBatches({ hosts, durationSeconds: exampleDurationSeconds })) {
    for (let i = 0; i < b.length; i++) {
      const user = b.columns.usage_user[i]!;
      if (user > 95) rows.push({ host: b.columns.hostname[i]!, time: b.columns.time[i]!, user });
    }
  }
  rows.sort((a, b) =>
    b.user - a.user || a.time - b.time || (a.host < b.host ? -1 : a.host > b.host ? 1 : 0)
  );
  return rows.slice(0, 5).map((r) =>
    `${r.host} | ${formatValue(Types.timestamptz, r.time)} | ${formatValue(Types.float8, r.user)}`
  );
}

Deno.test("the embedded example runs and prints what the data says", async () => {
  const hosts = exampleHostsDefault;
  const { code, stdout, stderr } = await runExample([]);
  assert.equal(code, 0, stderr);
  const lines = stdout.split("\n");
  assert.equal(lines[0], "CREATE TABLE: cpu");
  assert.equal(lines[1], "INSERT 0 2");
  assert.equal(
    lines[2],
    `loaded ${hosts * exampleDurationSeconds / 10} TSBS rows with insertColumns`,
  );

  const q = lines.indexOf(busiestReadingsSql);
  assert.ok(q > 0, "prints the query");
  assert.equal(lines[q + 1], "hostname | time | usage_user");
  const expected = expectedBusiest(hosts);
  assert.ok(expected.length > 0, "the data set has readings above 95");
  assert.deepEqual(lines.slice(q + 2, q + 2 + expected.length), expected);
  assert.equal(lines[q + 2 + expected.length], `(${expected.length} rows)`);

  const local = lines.findIndex((l) => l.includes("WHERE region = 'local'"));
  assert.deepEqual(lines.slice(local + 1, local + 5), [
    "hostname | usage_user | usage_idle",
    "desktop |  | 97.25",
    "laptop | 12.5 | 80",
    "(2 rows)",
  ]);
});

Deno.test("the embedded example rejects a bad --hosts", async () => {
  const { code, stderr } = await runExample(["--hosts", "zero"]);
  assert.equal(code, 2);
  assert.match(stderr, /--hosts must be an integer/);
});
