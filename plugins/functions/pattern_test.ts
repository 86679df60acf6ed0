import assert from "node:assert/strict";
import fc from "fast-check";
import { Types as T } from "../../core/types/data_type.ts";
import { compileLike, patternFunctions } from "./pattern.ts";
import { assertCode, call1, callScalar, resolveScalar } from "./_test_util.ts";

const f = patternFunctions;
const like = (s: string | null, p: string | null, esc?: string | null) =>
  esc === undefined
    ? call1(f, "like", [T.text, s], [T.text, p])
    : call1(f, "like", [T.text, s], [T.text, p], [T.text, esc]);

Deno.test("LIKE: % and _ wildcards, anchored at both ends", () => {
  assert.equal(like("abc", "abc"), true);
  assert.equal(like("abc", "ab"), false);
  assert.equal(like("abc", "a%"), true);
  assert.equal(like("abc", "%c"), true);
  assert.equal(like("abc", "%b%"), true);
  assert.equal(like("abc", "%d%"), false);
  assert.equal(like("abc", "a_c"), true);
  assert.equal(like("abc", "a_"), false);
  assert.equal(like("abc", "___"), true);
  assert.equal(like("", "%"), true);
  assert.equal(like("", ""), true);
  assert.equal(like("a", ""), false);
  assert.equal(like("aXbXc", "a%b%c"), true);
  assert.equal(like("mississippi", "%iss%ppi"), true);
  assert.equal(like("mississippi", "m%s_i%i"), true);
  assert.equal(like("line1\nline2", "line1%2"), true);
  assert.equal(like("😀x", "_x"), true); // _ is one character, not one UTF-16 unit
  assert.equal(like("a.*c", "a.*c"), true); // regex metacharacters are literals
  assert.equal(like("abc", "a.*"), false);
});

Deno.test("LIKE: NULL in any argument gives NULL", () => {
  assert.equal(like(null, "%"), null);
  assert.equal(like("a", null), null);
  assert.equal(like("a", "a", null), null);
});

Deno.test("LIKE escapes: default backslash, explicit ESCAPE, empty ESCAPE disables", () => {
  assert.equal(like("x%y", "x\\%y"), true);
  assert.equal(like("xzy", "x\\%y"), false);
  assert.equal(like("x_y", "x\\_y"), true);
  assert.equal(like("x\\y", "x\\\\y"), true);
  assert.equal(like("x%y", "x!%y", "!"), true);
  assert.equal(like("xay", "x!%y", "!"), false);
  assert.equal(like("x!y", "x!!y", "!"), true);
  assert.equal(like("abc", "a%", ""), true);
  assert.equal(like("a\\c", "a\\c", ""), true);
  assert.equal(like("a%", "a%%", "%"), true); // the escape may itself be a wildcard character
  assert.equal(like("ab", "a%%", "%"), false);
  assertCode(() => like("abc", "ab\\"), "22025");
  assertCode(() => like("abc", "ab!", "!"), "22025");
  assertCode(() => like("abc", "a%", "xy"), "22025");
});

Deno.test("ILIKE matches case-insensitively", () => {
  assert.equal(call1(f, "ilike", [T.text, "Hello"], [T.text, "h%O"]), true);
  assert.equal(call1(f, "ilike", [T.text, "ÉCOLE"], [T.text, "éc_le"]), true);
  assert.equal(call1(f, "ilike", [T.text, "Ab"], [T.text, "A_"]), true);
  assert.equal(call1(f, "ilike", [T.text, "X%Y"], [T.text, "x#%y"], [T.text, "#"]), true);
  assert.equal(call1(f, "like", [T.text, "Hello"], [T.text, "h%"]), false);
});

Deno.test("LIKE over a batch with a constant and with varying patterns", () => {
  const r = callScalar(
    f,
    "like",
    [T.text, ["cpu1", "mem", "cpu22", null, "cpx"]],
    [T.text, ["cpu%", "cpu%", "cpu%", "cpu%", "cp_"]],
  );
  assert.deepEqual(r.values, [true, false, true, null, true]);
  assert.equal(r.type.kind, "bool");
  assert.ok(resolveScalar(f, "like", [T.varchar, T.unknown]));
  assert.equal(resolveScalar(f, "like", [T.int4, T.text]), null);
});

Deno.test("a hostile pattern on a long string finishes quickly", () => {
  const s = "a".repeat(20_000);
  const t0 = performance.now();
  assert.equal(like(s, "%a%a%a%a%a%a%a%a%b"), false);
  assert.ok(performance.now() - t0 < 2000);
});

/** A reference LIKE via RegExp, for the property test. */
function reference(s: string, p: string): boolean {
  let re = "";
  for (let k = 0; k < p.length; k++) {
    const c = p[k]!;
    if (c === "\\") re += (p[++k] ?? "").replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
    else if (c === "%") re += ".*";
    else if (c === "_") re += ".";
    else re += c.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
  }
  return new RegExp(`^${re}$`, "su").test(s);
}

Deno.test("compileLike agrees with a RegExp reference on random inputs", () => {
  const alpha = fc.constantFrom("a", "b", "%", "_", "\\", ".");
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom("a", "b", "."), { maxLength: 12 }).map((x) => x.join("")),
      fc.array(alpha, { maxLength: 8 }).map((x) => x.join("")),
      (s, p) => {
        if (p.endsWith("\\") && !p.endsWith("\\\\")) return;
        let ok = true;
        try {
          ok = compileLike(p, "\\", false)(s) === reference(s, p);
        } catch {
          return; // patterns ending in an escape are rejected; covered above
        }
        assert.ok(ok, `${JSON.stringify(s)} LIKE ${JSON.stringify(p)}`);
      },
    ),
    { numRuns: 3000, seed: 42 },
  );
});
