import assert from "node:assert/strict";
import * as path from "node:path";
import type { FileRunSpec, RecordOutcome } from "./file_runner.ts";
import { runPool } from "./pool.ts";

const fakeModule = new URL("./_fake_engine.ts", import.meta.url).href;

async function runFiles(
  files: Record<string, string>,
  limits: { recordTimeoutMs: number; fileTimeoutMs: number },
): Promise<Map<string, RecordOutcome[]>> {
  const dir = await Deno.makeTempDir({ prefix: "slt_pool_test_" });
  try {
    const specs: FileRunSpec[] = [];
    for (const [name, text] of Object.entries(files)) {
      const file = path.join(dir, name);
      await Deno.writeTextFile(file, text);
      specs.push({ file, relPath: name, dialect: "classic", engineNames: ["postgresql"] });
    }
    const out = new Map<string, RecordOutcome[]>();
    await runPool(specs, {
      workers: 2,
      engineModule: fakeModule,
      storage: "memory",
      ...limits,
      onOutcome: (o, spec) => {
        const list = out.get(spec.relPath) ?? [];
        list.push(o);
        out.set(spec.relPath, list);
      },
    });
    return out;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const show = (os: RecordOutcome[] | undefined): string[] =>
  (os ?? []).map((o) => `${o.id} ${o.status}${o.reason === null ? "" : ` ${o.reason}`}`);

Deno.test("pool: a hung record is killed, failed as timeout, and the file resumes with its state", async () => {
  const text = [
    "statement ok",
    "insert a",
    "",
    "statement ok",
    "insert b",
    "",
    "statement ok",
    "hang",
    "",
    "query I",
    "count",
    "----",
    "2",
    "",
    "statement ok",
    "exit",
    "",
    "query I",
    "count",
    "----",
    "2",
  ].join("\n");
  const out = await runFiles(
    { "h.test": text, "ok.test": "query I\nselect 1\n----\n1\n" },
    { recordTimeoutMs: 300, fileTimeoutMs: 60_000 },
  );
  assert.deepEqual(show(out.get("h.test")), [
    "h.test:1 passed",
    "h.test:4 passed",
    "h.test:7 failed timeout",
    "h.test:10 passed",
    "h.test:15 failed crash",
    "h.test:18 passed",
  ]);
  assert.deepEqual(show(out.get("ok.test")), ["ok.test:1 passed"]);
});

Deno.test("pool: past the file limit the rest of the file fails as timeout", async () => {
  const text =
    "statement ok\ninsert a\n\nstatement ok\nhang\n\nquery I\ncount\n----\n1\n\nskipif postgresql\nstatement ok\nselect 1\n";
  const out = await runFiles({ "f.test": text }, { recordTimeoutMs: 60_000, fileTimeoutMs: 500 });
  assert.deepEqual(show(out.get("f.test")), [
    "f.test:1 passed",
    "f.test:4 failed timeout",
    "f.test:7 failed timeout",
    "f.test:13 skipped condition",
  ]);
});
