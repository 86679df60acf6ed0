import assert from "node:assert/strict";
import { Types as T } from "../../core/types/data_type.ts";
import { stringFunctions } from "./string.ts";
import { assertCode, call1, callScalar, resolveScalar } from "./_test_util.ts";
import { resultStringCharsMax } from "./_common.ts";

const f = stringFunctions;
const s = (v: string | null) => [T.text, v] as const;
const i4 = (v: number | null) => [T.int4, v] as const;

Deno.test("substr/substring follow PostgreSQL for out-of-range and negative starts", () => {
  assert.equal(call1(f, "substr", s("hello"), i4(2), i4(3)), "ell");
  assert.equal(call1(f, "substr", s("hello"), i4(0), i4(3)), "he");
  assert.equal(call1(f, "substr", s("hello"), i4(-3), i4(5)), "h");
  assert.equal(call1(f, "substr", s("hello"), i4(-3), i4(2)), "");
  assert.equal(call1(f, "substr", s("hello"), i4(10)), "");
  assert.equal(call1(f, "substr", s("hello"), i4(3)), "llo");
  assert.equal(call1(f, "substring", s("hello"), i4(-5)), "hello");
  assert.equal(call1(f, "substring", s("h😀llo"), i4(2), i4(2)), "😀l");
  assert.equal(call1(f, "substr", s(null), i4(1), i4(1)), null);
  assert.equal(call1(f, "substr", s("abc"), i4(1), i4(null)), null);
  assertCode(() => call1(f, "substr", s("abc"), i4(1), i4(-1)), "22011");
  // An untyped literal resolves to text.
  assert.equal(call1(f, "substr", [T.unknown, "xyz"], i4(2)), "yz");
  assert.equal(resolveScalar(f, "substr", [T.int4, T.int4]), null);
});

Deno.test("replace replaces every occurrence; an empty search string changes nothing", () => {
  assert.equal(call1(f, "replace", s("a-b-c"), s("-"), s("+")), "a+b+c");
  assert.equal(call1(f, "replace", s("abc"), s(""), s("x")), "abc");
  assert.equal(call1(f, "replace", s("aaa"), s("a"), s("$&")), "$&$&$&");
  assert.equal(call1(f, "replace", s("abc"), s(null), s("x")), null);
});

Deno.test("btrim/trim/ltrim/rtrim, one-argument (spaces) and two-argument (character set)", () => {
  assert.equal(call1(f, "btrim", s("  a b \t ")), "a b \t");
  assert.equal(call1(f, "trim", s("  x  ")), "x");
  assert.equal(call1(f, "ltrim", s("  x  ")), "x  ");
  assert.equal(call1(f, "rtrim", s("  x  ")), "  x");
  assert.equal(call1(f, "btrim", s("xyxhixy"), s("xy")), "hi");
  assert.equal(call1(f, "ltrim", s("zzzab"), s("z")), "ab");
  assert.equal(call1(f, "rtrim", s("ab😀😀"), s("😀")), "ab");
  assert.equal(call1(f, "btrim", s("abc"), s("")), "abc");
  assert.equal(call1(f, "btrim", s("aaa"), s("a")), "");
  assert.equal(call1(f, "rtrim", s(null)), null);
  assert.equal(call1(f, "btrim", s("x"), s(null)), null);
});

Deno.test("lpad/rpad pad by repeating the fill and truncate long strings", () => {
  assert.equal(call1(f, "lpad", s("hi"), i4(5)), "   hi");
  assert.equal(call1(f, "lpad", s("hi"), i4(7), s("xy")), "xyxyxhi");
  assert.equal(call1(f, "rpad", s("hi"), i4(5), s("ab")), "hiaba");
  assert.equal(call1(f, "lpad", s("hello"), i4(3)), "hel");
  assert.equal(call1(f, "rpad", s("hello"), i4(3), s("x")), "hel");
  assert.equal(call1(f, "rpad", s("hi"), i4(5), s("")), "hi");
  assert.equal(call1(f, "lpad", s("hi"), i4(-1)), "");
  assert.equal(call1(f, "lpad", s("é"), i4(3), s("😀")), "😀😀é");
  assert.equal(call1(f, "lpad", s("hi"), i4(null)), null);
  assertCode(() => call1(f, "lpad", s("x"), i4(resultStringCharsMax + 1)), "54000");
});

Deno.test("left, right, repeat, reverse", () => {
  assert.equal(call1(f, "left", s("hello"), i4(2)), "he");
  assert.equal(call1(f, "left", s("hello"), i4(-2)), "hel");
  assert.equal(call1(f, "left", s("hello"), i4(-9)), "");
  assert.equal(call1(f, "right", s("hello"), i4(2)), "lo");
  assert.equal(call1(f, "right", s("hello"), i4(-2)), "llo");
  assert.equal(call1(f, "right", s("hello"), i4(9)), "hello");
  assert.equal(call1(f, "right", s("a😀b"), i4(2)), "😀b");
  assert.equal(call1(f, "repeat", s("ab"), i4(3)), "ababab");
  assert.equal(call1(f, "repeat", s("ab"), i4(-1)), "");
  assert.equal(call1(f, "repeat", s(null), i4(2)), null);
  assertCode(() => call1(f, "repeat", s("ab"), i4(resultStringCharsMax)), "54000");
  assert.equal(call1(f, "reverse", s("ab😀c")), "c😀ba");
  assert.equal(call1(f, "reverse", s("")), "");
});

Deno.test("split_part with positive, negative and zero field numbers", () => {
  const sp = (x: string, d: string, n: number) => call1(f, "split_part", s(x), s(d), i4(n));
  assert.equal(sp("a,b,c", ",", 2), "b");
  assert.equal(sp("a,b,c", ",", 4), "");
  assert.equal(sp("a,b,c", ",", -1), "c");
  assert.equal(sp("a,b,c", ",", -3), "a");
  assert.equal(sp("a,b,c", ",", -4), "");
  assert.equal(sp("a::b", "::", 2), "b");
  assert.equal(sp("abc", "", 1), "abc");
  assert.equal(sp("abc", "", 2), "");
  assert.equal(sp("", ",", 1), "");
  assertCode(() => sp("a", ",", 0), "22023");
});

Deno.test("strpos and position count characters; an empty needle is at 1", () => {
  assert.equal(call1(f, "strpos", s("hello"), s("ll")), 3);
  assert.equal(call1(f, "strpos", s("hello"), s("z")), 0);
  assert.equal(call1(f, "strpos", s("abc"), s("")), 1);
  assert.equal(call1(f, "strpos", s("😀x"), s("x")), 2);
  assert.equal(call1(f, "position", s("hello"), s("lo")), 4);
  assert.equal(call1(f, "strpos", s(null), s("x")), null);
});

Deno.test("concat skips NULLs and renders values as PostgreSQL's output functions", () => {
  const r = callScalar(
    f,
    "concat",
    [T.int4, [1, null]],
    [T.bool, [true, null]],
    [T.float8, [2.5, null]],
    [T.unknown, ["x", null]],
    [T.date, [18263, null]],
  );
  assert.deepEqual(r.values, ["1t2.5x2020-01-02", ""]);
  assert.equal(r.type.kind, "text");
  assert.equal(call1(f, "concat", [T.int8, 12345678901234n]), "12345678901234");
  assert.equal(resolveScalar(f, "concat", []), null);
});

Deno.test("concat_ws skips NULL values; a NULL separator gives NULL", () => {
  const r = callScalar(f, "concat_ws", [T.text, [",", null, "-"]], [T.int4, [1, 1, null]], [
    T.text,
    [null, "b", "c"],
  ], [T.text, ["b", "c", "d"]]);
  assert.deepEqual(r.values, ["1,b", null, "c-d"]);
  assert.equal(call1(f, "concat_ws", s(",")), "");
});

Deno.test("initcap, ascii, chr", () => {
  assert.equal(
    call1(f, "initcap", s("hello wORLD foo_bar 3x o'neil")),
    "Hello World Foo_Bar 3x O'Neil",
  );
  assert.equal(call1(f, "initcap", s("élan ÉCOLE")), "Élan École");
  assert.equal(call1(f, "ascii", s("A")), 65);
  assert.equal(call1(f, "ascii", s("😀")), 0x1f600);
  assert.equal(call1(f, "ascii", s("")), 0);
  assert.equal(call1(f, "chr", i4(65)), "A");
  assert.equal(call1(f, "chr", i4(0x1f600)), "😀");
  assert.equal(call1(f, "chr", i4(null)), null);
  assertCode(() => call1(f, "chr", i4(0)), "54000");
  assertCode(() => call1(f, "chr", i4(-1)), "22023");
  assertCode(() => call1(f, "chr", i4(0xd800)), "54000");
  assertCode(() => call1(f, "chr", i4(0x110000)), "54000");
});

Deno.test("md5, starts_with, octet_length, bit_length, character_length", () => {
  assert.equal(call1(f, "md5", s("abc")), "900150983cd24fb0d6963f7d28e17f72");
  assert.equal(call1(f, "md5", s("é")), "66ddcd97cfdeabb2f6fb8a999b4bc76f"); // UTF-8 bytes
  assert.equal(call1(f, "md5", s("")), "d41d8cd98f00b204e9800998ecf8427e");
  assert.equal(call1(f, "starts_with", s("alphabet"), s("alph")), true);
  assert.equal(call1(f, "starts_with", s("alphabet"), s("beta")), false);
  assert.equal(call1(f, "starts_with", s(null), s("a")), null);
  assert.equal(call1(f, "octet_length", s("aé😀")), 1 + 2 + 4);
  assert.equal(call1(f, "octet_length", s("€")), 3);
  assert.equal(call1(f, "bit_length", s("ab")), 16);
  assert.equal(call1(f, "character_length", s("a😀")), 2);
});

Deno.test("translate and to_hex", () => {
  assert.equal(call1(f, "translate", s("12345"), s("143"), s("ax")), "a2x5");
  assert.equal(call1(f, "translate", s("abc"), s("aa"), s("xy")), "xbc");
  assert.equal(call1(f, "to_hex", i4(255)), "ff");
  assert.equal(call1(f, "to_hex", i4(-1)), "ffffffff");
  assert.equal(call1(f, "to_hex", [T.int8, -1n]), "ffffffffffffffff");
  assert.equal(call1(f, "to_hex", i4(null)), null);
});
