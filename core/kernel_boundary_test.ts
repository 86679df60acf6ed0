import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const coreDir = import.meta.dirname!;

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts"))
    .map((f) => join(dir, f));
}

Deno.test("nothing under core/ imports from plugins/ or server/", () => {
  const offenders: string[] = [];
  for (const f of files(coreDir)) {
    const text = readFileSync(f, "utf8");
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*["']([^"']+)["']/g)) {
      const spec = m[1]!;
      if (/(^|\/)(plugins|server)\//.test(spec) && !spec.startsWith("../../mod.ts")) {
        offenders.push(`${f}: ${spec}`);
      }
    }
  }
  assert.deepEqual(offenders, []);
});

Deno.test("only core/env touches Deno file, network and time APIs", () => {
  const offenders: string[] = [];
  const forbidden =
    /Deno\.(open|readFile|writeFile|readDir|stat|mkdir|remove|rename|listen|connect|serve|makeTemp)|Date\.now\(|performance\.now\(/;
  for (const f of files(coreDir)) {
    if (f.includes("/env/") || f.endsWith("_test.ts")) continue;
    const text = readFileSync(f, "utf8");
    if (forbidden.test(text)) offenders.push(f);
  }
  assert.deepEqual(offenders, []);
});
