import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { hashValues, type MatchInput, matchResult, numbersClose, sortRows } from "./compare.ts";

function input(partial: Partial<MatchInput> & Pick<MatchInput, "rows" | "expected">): MatchInput {
  return {
    dialect: "classic",
    columnCount: partial.rows[0]?.length ?? 1,
    booleanColumns: [],
    valuewise: false,
    ...partial,
  };
}

Deno.test("sort: rowsort and valuesort compare strings byte-wise", () => {
  assert.deepEqual(sortRows([["9", "b"], ["10", "a"], ["-5", "z"], ["-1", "z"]], "rowsort"), [
    ["-1", "z"],
    ["-5", "z"],
    ["10", "a"],
    ["9", "b"],
  ]);
  assert.deepEqual(sortRows([["b", "NULL"], ["a", "N"]], "valuesort"), [["N", "NULL"], ["a", "b"]]);
  assert.deepEqual(sortRows([["2"], ["1"]], "nosort"), [["2"], ["1"]]);
});

Deno.test("hash: md5 of value + newline, empty result has the empty digest", () => {
  const expected = createHash("md5").update("1\n2\n").digest("hex");
  assert.equal(hashValues(["1", "2"]), expected);
  assert.equal(hashValues([]), "d41d8cd98f00b204e9800998ecf8427e");
});

Deno.test("match classic: value per line, hash lines, mismatches fail", () => {
  assert.ok(
    matchResult(input({ rows: [["1", "a"], ["2", "b"]], expected: ["1", "a", "2", "b"] })).ok,
  );
  const wrong = matchResult(input({ rows: [["1"]], expected: ["2"] }));
  assert.equal(wrong.ok, false);
  assert.equal(wrong.actualText, "1");
  const rows = [["1"], ["2"], ["3"]];
  const good = `3 values hashing to ${hashValues(["1", "2", "3"])}`;
  assert.ok(matchResult(input({ rows, expected: [good] })).ok);
  assert.equal(
    matchResult(input({ rows, expected: [good.replace("3 values", "4 values")] })).ok,
    false,
  );
  assert.equal(matchResult(input({ rows: [["1"]], expected: ["1", "2"] })).ok, false);
});

Deno.test("match duckdb: tab rows, value-wise blocks, numeric and boolean leniency, regex", () => {
  const duck = (rows: string[][], expected: string[], booleanColumns: boolean[] = []) =>
    matchResult(input({ dialect: "duckdb", rows, expected, booleanColumns }));
  assert.ok(duck([["1", "a"], ["2", "b"]], ["1\ta", "2\tb"]).ok);
  assert.ok(duck([["1", "a"], ["2", "b"]], ["1", "a", "2", "b"]).ok); // value-wise also legal
  const lenient = duck([["3"]], ["3.0"]);
  assert.ok(lenient.ok && lenient.lenient);
  assert.ok(duck([["true"]], ["1"], [true]).ok);
  assert.equal(duck([["true"]], ["1"], [false]).ok, false);
  assert.ok(duck([["hello world"]], ["<REGEX>:hel+o.*"]).ok);
  assert.equal(duck([["hello"]], ["<!REGEX>:hel+o"]).ok, false);
  assert.equal(duck([["1", "a"]], ["1\ta\tx"]).ok, false); // wrong piece count
  assert.equal(duck([["0.1"]], ["0.2"]).ok, false);
});

Deno.test("match rs: whitespace normalised rows, slt:ignore, numeric tolerance", () => {
  const rs = (rows: string[][], expected: string[]) =>
    matchResult(input({ dialect: "datafusion", rows, expected }));
  assert.ok(rs([["2020-01-01 00:00:00", "x"]], ["2020-01-01   00:00:00  x  "]).ok);
  assert.ok(rs([["plan text", "42"]], ["plan<slt:ignore>42"]).ok);
  assert.ok(
    rs([["37474", "25.35453315290933694"]], ["37474.00  25.354533152909336941813261164"]).ok,
  );
  assert.equal(rs([["1", "2"]], ["1 3"]).ok, false);
  assert.equal(rs([["1"]], []).ok, false);
});

Deno.test("numbersClose: relative tolerance 1e-9, numbers only", () => {
  assert.ok(numbersClose("1", "1.0"));
  assert.ok(numbersClose("1000000000", "1000000000.5"));
  assert.equal(numbersClose("1", "1.001"), false);
  assert.equal(numbersClose("abc", "abc"), false);
  assert.equal(numbersClose("", "0"), false);
});
