import assert from "node:assert/strict";
import { parseToml, TomlError } from "./toml.ts";

Deno.test("toml: keys, sections, comments and scalar types", () => {
  const doc = parseToml(
    [
      "# OmenDB config",
      'data_dir = "./data" # trailing comment',
      "memory = false",
      "",
      "[http]",
      "  host = '127.0.0.1'",
      "  port = 8_086",
      "  ratio = 0.5",
      "  big = 1e3",
      "  hex = 0xff",
      "  neg = -12",
      '  "quoted key" = "a\\tb\\u00e9 # not a comment"',
      "[log]",
      'level = "debug"',
      "tags = [1, 'two', true, [3]]",
      "[a.b]",
      "c.d = 1",
    ].join("\n"),
  );
  assert.deepEqual(doc, {
    data_dir: "./data",
    memory: false,
    http: {
      host: "127.0.0.1",
      port: 8086,
      ratio: 0.5,
      big: 1000,
      hex: 255,
      neg: -12,
      "quoted key": "a\tbé # not a comment",
    },
    log: { level: "debug", tags: [1, "two", true, [3]] },
    a: { b: { c: { d: 1 } } },
  });
});

Deno.test("toml: inf and nan", () => {
  const doc = parseToml("a = inf\nb = -inf\nc = nan");
  assert.equal(doc.a, Infinity);
  assert.equal(doc.b, -Infinity);
  assert.ok(Number.isNaN(doc.c));
});

Deno.test("toml: errors name the line", () => {
  const cases: [string, RegExp][] = [
    ["a = 1\nb = ", /line 2: missing value/],
    ["a = 1\na = 2", /line 2: key "a" is defined twice/],
    ["[s]\n[s]", /line 2: table \[s\] is defined twice/],
    ["a = bare", /line 1: invalid value "bare" \(strings must be quoted\)/],
    ['a = "open', /line 1: unterminated string/],
    ["a = 1 2", /line 1: unexpected text after value/],
    ['a = """x"""', /multi-line strings are not supported/],
    ["a = {b = 1}", /inline tables are not supported/],
    ["[[t]]", /arrays of tables/],
    ["a = 2016-01-01", /dates and times are not supported/],
    ["a = 9007199254740993", /outside the safe range/],
    ["a = 1__0", /misplaced "_"/],
    ["a = 1\na.b = 2", /line 2: key "a" is a value, not a table/],
    ['a = "\\q"', /invalid escape/],
    ["a = [1, 2", /arrays must close on the same line/],
    ["= 1", /missing key|unexpected "="/],
    ["a = 0xZZ", /invalid value|invalid number/],
  ];
  for (const [text, re] of cases) {
    assert.throws(() => parseToml(text), (e: unknown) => {
      assert.ok(e instanceof TomlError, `expected TomlError for ${JSON.stringify(text)}`);
      assert.match(e.message, re, `for ${JSON.stringify(text)}`);
      return true;
    });
  }
});

Deno.test("toml: parsing random garbage throws only TomlError", () => {
  const alphabet = [
    "a",
    "=",
    " ",
    '"',
    "'",
    "[",
    "]",
    "#",
    "1",
    ".",
    "_",
    "\n",
    "\\",
    ",",
    "-",
    "x",
  ];
  let seed = 42;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed;
  };
  for (let i = 0; i < 2000; i++) {
    let s = "";
    const len = rand() % 24;
    for (let j = 0; j < len; j++) s += alphabet[rand() % alphabet.length];
    try {
      parseToml(s);
    } catch (e) {
      assert.ok(e instanceof TomlError, `input ${JSON.stringify(s)} threw ${String(e)}`);
    }
  }
});
