// Dictionary codes ride along with text columns through gathers, concatenation and the WAL codec.
import assert from "node:assert/strict";
import {
  columnFromValues,
  concatColumns,
  dictCodesOf,
  sliceColumn,
  takeColumn,
  valueAt,
  withDictCodes,
} from "./column.ts";
import { Types } from "./mod.ts";
import { decodeBatch, encodeBatch } from "../engine/batch_codec.ts";

/** Asserts that `dict[codes[i]]` is the value of every non-NULL row. */
function assertCodesMatch(col: ReturnType<typeof columnFromValues>) {
  const coded = dictCodesOf(col);
  assert.ok(coded !== undefined, "the codes were dropped");
  for (let i = 0; i < col.length; i++) {
    const v = valueAt(col, i);
    if (v !== null) assert.equal(coded.dict[coded.codes[i]!], v, `row ${i}`);
  }
}

Deno.test("takeColumn gathers the codes with the strings", () => {
  const c = withDictCodes(
    columnFromValues(Types.text, ["x", "y", null, "x"]),
    ["x", "y"],
    Int32Array.of(0, 1, 99, 0),
  );
  const t = takeColumn(c, Uint32Array.of(3, 1, 2));
  assert.deepEqual([0, 1, 2].map((i) => valueAt(t, i)), ["x", "y", null]);
  assertCodesMatch(t);
  // a column without codes stays without
  assert.equal(
    dictCodesOf(takeColumn(columnFromValues(Types.text, ["a"]), Uint32Array.of(0))),
    undefined,
  );
});

Deno.test("concatColumns merges the dictionaries of columns with their own", () => {
  const a = withDictCodes(
    columnFromValues(Types.text, ["p", "q", "p"]),
    ["p", "q"],
    Int32Array.of(0, 1, 0),
  );
  const b = withDictCodes(
    columnFromValues(Types.text, ["q", null, "r"]),
    ["r", "q"],
    Int32Array.of(1, -5, 0),
  );
  const c = concatColumns(Types.text, [a, b]);
  assert.deepEqual(Array.from({ length: 6 }, (_, i) => valueAt(c, i)), [
    "p",
    "q",
    "p",
    "q",
    null,
    "r",
  ]);
  assertCodesMatch(c);
  assert.deepEqual([...dictCodesOf(c)!.dict].sort(), ["p", "q", "r"]);
  // one shared dictionary: codes are copied as they are
  const d = concatColumns(Types.text, [
    a,
    withDictCodes(columnFromValues(Types.text, ["q"]), dictCodesOf(a)!.dict, Int32Array.of(1)),
  ]);
  assert.equal(dictCodesOf(d)!.dict, dictCodesOf(a)!.dict);
  assertCodesMatch(d);
  // one column without codes: the result has none
  assert.equal(
    dictCodesOf(concatColumns(Types.text, [a, columnFromValues(Types.text, ["z"])])),
    undefined,
  );
});

Deno.test("the WAL codec writes a coded column's dictionary and hands codes back", () => {
  const values = ["eu", "us", null, "eu", "us", "eu", null, "eu", "ap", "eu"];
  const codes = Int32Array.from(values, (v) => (v === null ? 1234 : ["eu", "us", "ap"].indexOf(v)));
  const col = withDictCodes(
    columnFromValues(Types.text, values),
    ["eu", "us", "ap", "unused"],
    codes,
  );
  const back = decodeBatch(encodeBatch({ columns: [col], length: values.length }), [Types.text]);
  assert.deepEqual(values.map((_, i) => valueAt(back.columns[0]!, i)), values);
  assertCodesMatch(back.columns[0]!);
  // without codes the same values round-trip the same way
  const plain = decodeBatch(
    encodeBatch({ columns: [columnFromValues(Types.text, values)], length: values.length }),
    [Types.text],
  );
  assert.deepEqual(values.map((_, i) => valueAt(plain.columns[0]!, i)), values);
  assertCodesMatch(plain.columns[0]!);
});

Deno.test("sliceColumn equals takeColumn of the same rows at every start and length, codes and NULLs included", () => {
  const values = ["a", null, "b", "a", null, "c", "b", "a", "c", null, "a", "b"];
  const dict = ["a", "b", "c", ""];
  const codes = Int32Array.from(values, (v) => v === null ? 3 : dict.indexOf(v));
  const text = withDictCodes(columnFromValues(Types.text, values), dict, codes);
  const ints = columnFromValues(Types.int8, values.map((v, i) => v === null ? null : BigInt(i)));
  for (const col of [text, ints]) {
    for (let start = 0; start < values.length; start++) {
      for (let count = 0; start + count <= values.length; count++) {
        const idx = Uint32Array.from({ length: count }, (_, i) => start + i);
        const want = takeColumn(col, idx);
        const got = sliceColumn(col, start, count);
        assert.equal(got.length, count);
        for (let i = 0; i < count; i++) assert.equal(valueAt(got, i), valueAt(want, i));
        assert.deepEqual(
          [...(dictCodesOf(got)?.codes ?? [])],
          [...(dictCodesOf(want)?.codes ?? [])],
          `codes at ${start}+${count}`,
        );
      }
    }
  }
});
