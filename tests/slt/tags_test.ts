import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { defaultConformanceDir } from "./run.ts";
import { featureTagPatterns, featureTags } from "./tags.ts";

Deno.test("tags: SQL is upper-cased and -- comments are ignored", () => {
  assert.deepEqual(featureTags("select a from t -- order by a\nwhere b in (1, 2)"), ["in-list"]);
  assert.ok(featureTags("SELECT x IN (SELECT 1)").includes("in-subquery"));
  assert.equal(featureTags("SELECT x IN (SELECT 1)").includes("in-list"), false);
  assert.ok(featureTags("select distinct on (a) a from t").includes("distinct-on"));
  assert.equal(featureTags("select distinct on (a) a from t").includes("distinct"), false);
  assert.ok(featureTags("select 'a' || 'b'").includes("string-func"));
  assert.ok(featureTags("  pragma enable_verification").includes("engine-setting"));
});

Deno.test("tags: the built-in table matches FEATURE-TAGS.md when the corpus is present", () => {
  const file = path.join(defaultConformanceDir(), "FEATURE-TAGS.md");
  if (!fs.existsSync(file)) return; // the corpus is optional for this unit test
  const rows = fs.readFileSync(file, "utf8").split("\n").filter((l) => /^\| [a-z-]+ \| `/.test(l));
  const fromDoc: Record<string, string> = {};
  for (const row of rows) {
    const m = /^\| ([a-z-]+) \| `(.*)` \|$/.exec(row);
    if (m !== null) fromDoc[m[1] as string] = (m[2] as string).replace(/\\\|/g, "|");
  }
  assert.deepEqual(featureTagPatterns, fromDoc);
});
