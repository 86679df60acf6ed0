import assert from "node:assert/strict";
import { Database, DbError } from "../../mod.ts";
import { MemoryFileSystem, realEnv } from "../env/mod.ts";
import type { Value } from "../types/column.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

async function memoryDb(): Promise<{ db: Database; fs: MemoryFileSystem }> {
  const fs = new MemoryFileSystem();
  const db = await Database.open({ memory: true, env: { ...realEnv(), fs } });
  return { db, fs };
}

async function put(fs: MemoryFileSystem, path: string, text: string): Promise<void> {
  await fs.writeFileAtomic(path, enc.encode(text));
}

async function rows(db: Database, sql: string): Promise<readonly (readonly Value[])[]> {
  return (await db.query(sql)).rows;
}

async function rejects(
  p: Promise<unknown>,
  code: string,
  message: RegExp,
  context?: string,
): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof DbError, String(e));
    assert.equal(e.code, code, e.message);
    assert.match(e.message, message);
    if (context !== undefined) {
      assert.equal(e.context, context);
      assert.ok(e.message.endsWith(`(${context})`), e.message);
    }
    return true;
  });
}

const ALL_TYPES = `CREATE TABLE ty (i int, bi bigint, nu numeric, d double precision, tx text,
  bo bool, dt date, ts timestamp, tz timestamptz, iv interval, r real, si smallint, vc varchar(20))`;
const ALL_VALUES = `INSERT INTO ty VALUES
  (1, 9007199254740993, 1.50, 'NaN', E'a,b"c\\nd\\te\\\\f\\rg|h', true, '2020-01-02',
   '2020-01-02 03:04:05.5', '2020-01-02 03:04:05+00', '1 year 2 mons 3 days 04:05:06.5', 0.1, 7, 'x'),
  (2, -1, -0.001, 'Infinity', '', false, '2000-02-29', '1999-12-31 23:59:59', '1970-01-01 00:00:00+00',
   '-1 days', 1e-10, -32768, ''),
  (3, NULL, NULL, '-Infinity', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (4, 0, 0, '0.1', '\\.', true, '1900-01-01', '2000-01-01', '2000-01-01', '0', 3.4e38, 0, '\\N'),
  (5, 0, 123456789.123456789, '1e300', 'NULL', true, NULL, NULL, NULL, NULL, NULL, 1, '"q"')`;

for (
  const [name, options] of [
    ["csv", "(FORMAT csv, HEADER)"],
    ["text", "(FORMAT text, HEADER true)"],
    ["csv with options", "(FORMAT csv, DELIMITER '|', NULL 'NULL', QUOTE '''', ESCAPE '\\')"],
    ["text with options", "(DELIMITER ',', NULL 'nil')"],
  ] as const
) {
  Deno.test(`COPY round trip of every type through ${name}`, async () => {
    const { db } = await memoryDb();
    await db.query(ALL_TYPES);
    await db.query(ALL_VALUES);
    const out = await db.query(`COPY ty TO '/ty.out' ${options}`);
    assert.equal(out.command, "COPY 5");
    assert.equal(out.rowCount, 5);
    await db.query("CREATE TABLE ty2 AS SELECT * FROM ty WHERE false");
    const back = await db.query(`COPY ty2 FROM '/ty.out' ${options}`);
    assert.equal(back.command, "COPY 5");
    assert.deepEqual(
      await rows(db, "SELECT * FROM ty2 ORDER BY i"),
      await rows(db, "SELECT * FROM ty ORDER BY i"),
    );
    await db.close();
  });
}

Deno.test("COPY TO writes PostgreSQL's CSV and text encodings", async () => {
  const { db, fs } = await memoryDb();
  await db.query(ALL_TYPES);
  await db.query(ALL_VALUES);
  await db.query("COPY ty (i, d, tx, bo, tz, iv) TO '/a.csv' (FORMAT csv, HEADER)");
  assert.equal(
    dec.decode((await fs.readFile("/a.csv"))!),
    'i,d,tx,bo,tz,iv\n1,NaN,"a,b""c\nd\te\\f\rg|h",t,2020-01-02 03:04:05+00,1 year 2 mons 3 days 04:05:06.5\n' +
      '2,Infinity,"",f,1970-01-01 00:00:00+00,-1 days\n3,-Infinity,,,,\n4,0.1,\\.,t,2000-01-01 00:00:00+00,00:00:00\n' +
      "5,1e+300,NULL,t,,\n",
  );
  await db.query("COPY (SELECT i, tx FROM ty ORDER BY i DESC) TO '/a.txt' (DELIMITER '|')");
  assert.equal(
    dec.decode((await fs.readFile("/a.txt"))!),
    '5|NULL\n4|\\\\.\n3|\\N\n2|\n1|a,b"c\\nd\\te\\\\f\\rg\\|h\n',
  );
  // a single column: "\." is quoted so that it is not read back as the end marker
  await db.query("COPY (SELECT tx FROM ty WHERE i = 4) TO '/one.csv' (FORMAT csv, FORCE_QUOTE *)");
  assert.equal(dec.decode((await fs.readFile("/one.csv"))!), '"\\."\n');
  await db.close();
});

Deno.test("COPY FROM CSV: quotes, escapes, NULLs, FORCE_NULL and FORCE_NOT_NULL", async () => {
  const { db, fs } = await memoryDb();
  await db.query("CREATE TABLE t (a int, b text)");
  await put(fs, "/q.csv", '1,"a,b"\n2,""\n3,\n4,"he said ""hi"""\n5,"multi\nline"\n6,a"b"c\n');
  assert.equal((await db.query("COPY t FROM '/q.csv' (FORMAT csv)")).command, "COPY 6");
  assert.deepEqual(await rows(db, "SELECT a, b FROM t ORDER BY a"), [
    [1, "a,b"],
    [2, ""],
    [3, null],
    [4, 'he said "hi"'],
    [5, "multi\nline"],
    [6, "abc"],
  ]);
  await db.query("DELETE FROM t");
  await put(fs, "/n.csv", '1,""\n2,\n3,"NULL"\n');
  await db.query("COPY t FROM '/n.csv' (FORMAT csv, FORCE_NULL (b))");
  assert.deepEqual(await rows(db, "SELECT b FROM t ORDER BY a"), [[null], [null], ["NULL"]]);
  await db.query("DELETE FROM t");
  await db.query("COPY t FROM '/n.csv' (FORMAT csv, FORCE_NOT_NULL (b))");
  assert.deepEqual(await rows(db, "SELECT b FROM t ORDER BY a"), [[""], [""], ["NULL"]]);
  await db.query("DELETE FROM t");
  await put(fs, "/e.csv", "1,'a\\'b'\r\n2,x\r\n");
  await db.query("COPY t FROM '/e.csv' WITH CSV QUOTE AS '''' ESCAPE AS '\\'");
  assert.deepEqual(await rows(db, "SELECT b FROM t ORDER BY a"), [["a'b"], ["x"]]);
  await db.close();
});

Deno.test("COPY FROM text: backslash escapes, \\N, end marker", async () => {
  const { db, fs } = await memoryDb();
  await db.query("CREATE TABLE t (a int, b text)");
  await put(
    fs,
    "/t.txt",
    "1\t\\N\n2\tx\\ty\n3\t\\x41\\101\\\\z\n4\t\n5\ta\\\nb\n6\t\\q\n\\.\n7\tignored\n",
  );
  assert.equal((await db.query("COPY t FROM '/t.txt'")).command, "COPY 6");
  assert.deepEqual(await rows(db, "SELECT a, b FROM t ORDER BY a"), [
    [1, null],
    [2, "x\ty"],
    [3, "AA\\z"],
    [4, ""],
    [5, "a\nb"],
    [6, "q"],
  ]);
  await db.close();
});

Deno.test("COPY header handling: skip, MATCH, mismatch errors", async () => {
  const { db, fs } = await memoryDb();
  await db.query("CREATE TABLE t (a int, b text)");
  await put(fs, "/h.csv", "a,b\n1,x\n");
  await put(fs, "/bad.csv", "a,c\n1,x\n");
  await put(fs, "/count.csv", "a,b,c\n1,x\n");
  await put(fs, "/null.csv", "a,\n1,x\n");
  assert.equal((await db.query("COPY t FROM '/h.csv' (FORMAT csv, HEADER match)")).rowCount, 1);
  assert.equal((await db.query("COPY t FROM '/bad.csv' (FORMAT csv, HEADER)")).rowCount, 1);
  assert.equal((await db.query("COPY t FROM '/h.csv' DELIMITER ',' CSV HEADER")).rowCount, 1);
  assert.equal((await db.query("COPY t FROM '/h.csv' WITH CSV HEADER")).rowCount, 1);
  await rejects(
    db.query("COPY t FROM '/bad.csv' (FORMAT csv, HEADER match)"),
    "22P04",
    /^column name mismatch in header line field 2: got "c", expected "b"/,
    'COPY t, line 1: "a,c"',
  );
  await rejects(
    db.query("COPY t FROM '/count.csv' (FORMAT csv, HEADER match)"),
    "22P04",
    /^wrong number of fields in header line: got 3, expected 2/,
  );
  await rejects(
    db.query("COPY t FROM '/null.csv' (FORMAT csv, HEADER match)"),
    "22P04",
    /got null value \(""\), expected "b"/,
  );
  await rejects(
    db.query("COPY t (b, a) FROM '/h.csv' (FORMAT csv, HEADER match)"),
    "22P04",
    /field 1: got "a", expected "b"/,
  );
  await rejects(db.query("COPY t TO '/x' (HEADER match)"), "0A000", /cannot use "match"/);
  assert.deepEqual(await rows(db, "SELECT count(*) FROM t"), [[4n]]);
  await db.close();
});

Deno.test("COPY FROM errors carry codes, line numbers and nothing is inserted", async () => {
  const { db, fs } = await memoryDb();
  await db.query("CREATE TABLE t (a int, b text)");
  const cases: [string, string, RegExp, string][] = [
    [
      "1,x\n2,y\nabc,z\n",
      "22P02",
      /^invalid input syntax for type integer: "abc"/,
      'COPY t, line 3, column a: "abc"',
    ],
    ["1,x\n2,y,9\n", "22P04", /^extra data after last expected column/, 'COPY t, line 2: "2,y,9"'],
    ["1,x\n2\n", "22P04", /^missing data for column "b"/, 'COPY t, line 2: "2"'],
    ["1,x\n\n", "22P04", /^missing data for column "b"/, 'COPY t, line 2: ""'],
    [
      '1,x\n2,"abc\n3,z\n',
      "22P04",
      /^unterminated CSV quoted field/,
      'COPY t, line 4: "2,"abc\n3,z\n"',
    ],
    // PostgreSQL counts a record's embedded newlines only once the line ending is known
    ['1,"a\nb"\nxx,"c\nd\ne"\n', "22P02", /"xx"/, 'COPY t, line 4, column a: "xx"'],
    ["1,x\r\n2,y\n", "22P04", /^unquoted newline found in data/, "COPY t, line 2"],
    [
      "99999999999,x\n",
      "22003",
      /out of range for type integer/,
      'COPY t, line 1, column a: "99999999999"',
    ],
    // an earlier row's bad value is reported before a later row's missing column
    ["x\n1\n", "22P02", /"x"/, 'COPY t, line 1, column a: "x"'],
  ];
  for (const [text, code, message, context] of cases) {
    await put(fs, "/bad.csv", text);
    await rejects(db.query("COPY t FROM '/bad.csv' (FORMAT csv)"), code, message, context);
  }
  await put(fs, "/long.csv", "y".repeat(150) + ",z\n");
  await rejects(
    db.query("COPY t FROM '/long.csv' (FORMAT csv)"),
    "22P02",
    /invalid input syntax/,
    `COPY t, line 1, column a: "${"y".repeat(100)}..."`,
  );
  await put(fs, "/bad.txt", "1\tx\r\n2\ty\n");
  await rejects(db.query("COPY t FROM '/bad.txt'"), "22P04", /^literal newline found in data/);
  await put(fs, "/bad.txt", "1\tx\n\\.x\n");
  await rejects(db.query("COPY t FROM '/bad.txt'"), "22P04", /^end-of-copy marker corrupt/);
  await fs.writeFileAtomic("/utf.txt", new Uint8Array([49, 9, 0xff, 10]));
  await rejects(
    db.query("COPY t FROM '/utf.txt'"),
    "22021",
    /invalid byte sequence for encoding "UTF8": 0xff/,
  );
  await db.query("CREATE TABLE v (a int, b varchar(3) NOT NULL, c numeric(3,1))");
  await put(fs, "/v.csv", "1,abcd,1\n");
  await rejects(
    db.query("COPY v FROM '/v.csv' (FORMAT csv)"),
    "22001",
    /^value too long for type character varying\(3\)/,
  );
  await put(fs, "/v.csv", "1,abc   ,1\n2,,1\n");
  await assert.rejects(db.query("COPY v FROM '/v.csv' (FORMAT csv)"), (e: unknown) => {
    assert.ok(e instanceof DbError);
    assert.equal(e.code, "23502");
    assert.equal(e.context, 'COPY v, line 2: "2,,1"');
    assert.equal(e.detail, "Failing row contains (2, null, 1.0).");
    return true;
  });
  await put(fs, "/v.csv", "1,abc,123\n");
  await rejects(db.query("COPY v FROM '/v.csv' (FORMAT csv)"), "22003", /^numeric field overflow/);
  await put(fs, "/v.csv", "1,abc   ,1\n");
  await db.query("COPY v FROM '/v.csv' (FORMAT csv)");
  assert.deepEqual(await rows(db, "SELECT b FROM v"), [["abc"]]);
  assert.deepEqual(
    await rows(db, "SELECT count(*) FROM t"),
    [[0n]],
    "failed COPYs inserted nothing",
  );
  await db.query("CREATE UNIQUE INDEX ua ON t (a)");
  await put(fs, "/dup.csv", "1,x\n2,y\n1,z\n");
  await rejects(db.query("COPY t FROM '/dup.csv' (FORMAT csv)"), "23505", /duplicate key/);
  assert.deepEqual(await rows(db, "SELECT count(*) FROM t"), [[0n]]);
  await db.close();
});

Deno.test("COPY statement errors: options, names, targets", async () => {
  const { db, fs } = await memoryDb();
  await db.query("CREATE TABLE t (a int, b text)");
  await db.query("CREATE VIEW vw AS SELECT 1 AS x");
  await put(fs, "/h.csv", "a,b\n");
  const cases: [string, string, RegExp][] = [
    ["COPY t FROM '/h.csv' (DELIMITER 'ab')", "0A000", /single one-byte character/],
    ["COPY t FROM '/h.csv' (QUOTE '\"')", "0A000", /quote available only in CSV mode/],
    [
      "COPY t FROM '/h.csv' (FORMAT csv, DELIMITER ',', DELIMITER ',')",
      "42601",
      /conflicting or redundant options/,
    ],
    ["COPY t FROM '/h.csv' (FORMAT binary)", "0A000", /binary/],
    ["COPY t FROM '/h.csv' (FORMAT xml)", "22023", /COPY format "xml" not recognized/],
    [
      "COPY t FROM '/h.csv' (FORMAT csv, NULL ',')",
      "0A000",
      /must not appear in the NULL specification/,
    ],
    ["COPY t FROM '/h.csv' (DELIMITER '\\')", "22023", /COPY delimiter cannot be "\\"/],
    [
      "COPY t FROM '/h.csv' (FORMAT csv, DELIMITER '\"')",
      "22023",
      /delimiter and quote must be different/,
    ],
    [
      "COPY t FROM '/h.csv' (FORMAT csv, HEADER maybe)",
      "42601",
      /header requires a Boolean value or "match"/,
    ],
    [
      "COPY t FROM '/h.csv' (FORMAT csv, FORCE_QUOTE *)",
      "0A000",
      /force quote only available using COPY TO/,
    ],
    ["COPY t FROM '/h.csv' (FORCE_NULL (b))", "0A000", /force null available only in CSV mode/],
    ["COPY t FROM '/h.csv' (bogus 1)", "42601", /option "bogus" not recognized/],
    [
      "COPY t FROM '/h.csv' (FORMAT csv, FORCE_NOT_NULL (zz))",
      "42703",
      /column "zz" of relation "t" does not exist/,
    ],
    [
      "COPY t (a) FROM '/h.csv' (FORMAT csv, FORCE_NOT_NULL (b))",
      "42P10",
      /not referenced by COPY/,
    ],
    ["COPY t (b, b) FROM '/h.csv'", "42701", /column "b" specified more than once/],
    ["COPY t (zz) FROM '/h.csv'", "42703", /column "zz" of relation "t" does not exist/],
    ["COPY nosuch FROM '/h.csv'", "42P01", /relation "nosuch" does not exist/],
    ["COPY vw FROM '/h.csv'", "42809", /cannot copy to view "vw"/],
    ["COPY vw TO '/x'", "42809", /cannot copy from view "vw"/],
    ["COPY t FROM '/missing.csv'", "58P01", /could not open file "\/missing.csv" for reading/],
    ["COPY t TO 'relative.csv'", "42602", /relative path not allowed for COPY to file/],
    ["COPY t FROM STDIN", "0A000", /COPY FROM STDIN is not supported here/],
    ["COPY t TO STDOUT (FORMAT csv)", "0A000", /COPY TO STDOUT is not supported here/],
    ["COPY t FROM PROGRAM 'cat x'", "0A000", /PROGRAM/],
    ["COPY (SELECT 1) FROM '/h.csv'", "42601", /syntax error/],
    ["COPY t FROM '/h.csv' (FREEZE)", "55000", /COPY FREEZE/],
  ];
  for (const [sql, code, message] of cases) await rejects(db.query(sql), code, message);
  await db.close();
});

Deno.test("COPY FROM with a column list and WHERE", async () => {
  const { db, fs } = await memoryDb();
  await db.query("CREATE TABLE t (a int, b text, c int)");
  await put(fs, "/c.csv", "x,1\ny,2\nz,3\n");
  assert.equal(
    (await db.query("COPY t (b, a) FROM '/c.csv' (FORMAT csv) WHERE a <> 2")).command,
    "COPY 2",
  );
  assert.deepEqual(await rows(db, "SELECT a, b, c FROM t ORDER BY a"), [[1, "x", null], [
    3,
    "z",
    null,
  ]]);
  await rejects(db.query("COPY t FROM '/c.csv' WHERE a IN (SELECT 1)"), "0A000", /subquery/);
  await db.close();
});

Deno.test("COPY FROM fills the columns it does not name from their DEFAULTs", async () => {
  const { db, fs } = await memoryDb();
  await db.query("CREATE TABLE d (a int, b text DEFAULT 'dflt', c int DEFAULT 40 + 2, e int)");
  await put(fs, "/d.csv", "1\n2\n");
  assert.equal((await db.query("COPY d (a) FROM '/d.csv' (FORMAT csv)")).command, "COPY 2");
  assert.deepEqual(await rows(db, "SELECT * FROM d ORDER BY a"), [
    [1, "dflt", 42, null],
    [2, "dflt", 42, null],
  ]);
  await db.close();
});

Deno.test("COPY FROM into a durable database survives reopen (WAL)", async () => {
  const fs = new MemoryFileSystem();
  const env = { ...realEnv(), fs };
  const db = await Database.open({ path: "/data", env });
  await db.query("CREATE TABLE t (a int, b text)");
  await put(fs, "/in.txt", "1\tone\n2\t\\N\n");
  await db.query("COPY t FROM '/in.txt'");
  fs.crash();
  const again = await Database.open({ path: "/data", env });
  assert.deepEqual(await rows(again, "SELECT a, b FROM t ORDER BY a"), [[1, "one"], [2, null]]);
  await again.close();
});

Deno.test("COPY loads a 100,000-row file in batches and writes it back", async () => {
  const { db, fs } = await memoryDb();
  await db.query("CREATE TABLE big (id bigint, x double precision, s text, d date)");
  const parts: string[] = [];
  for (let i = 0; i < 100_000; i++) {
    parts.push(`${i},${i / 4},"s,${i}",2020-01-${String((i % 28) + 1).padStart(2, "0")}\n`);
  }
  await put(fs, "/big.csv", parts.join(""));
  const r = await db.query("COPY big FROM '/big.csv' (FORMAT csv)");
  assert.equal(r.command, "COPY 100000");
  assert.deepEqual(await rows(db, "SELECT count(*), sum(id), max(s), min(d) FROM big"), [[
    100000n,
    "4999950000",
    "s,99999",
    18262,
  ]]);
  assert.equal((await db.query("COPY big TO '/big.out' (FORMAT csv)")).rowCount, 100_000);
  const written = dec.decode((await fs.readFile("/big.out"))!);
  assert.ok(written === parts.join(""), "COPY TO wrote the file that was read");
  await db.close();
});

Deno.test("COPY reads and writes real files relative to the working directory", async () => {
  const dir = await Deno.makeTempDir();
  const db = await Database.open({ memory: true });
  try {
    await db.query("CREATE TABLE t (a int)");
    await Deno.writeTextFile(`${dir}/in.txt`, "1\n2\n");
    // a relative path resolves against the process's working directory
    const fromCwd = `${Deno.cwd().split("/").slice(1).map(() => "..").join("/")}${dir}/in.txt`;
    assert.equal((await db.query(`COPY t FROM '${fromCwd}'`)).rowCount, 2);
    await db.query(`COPY t TO '${dir}/out.csv' (FORMAT csv)`);
    assert.equal(await Deno.readTextFile(`${dir}/out.csv`), "1\n2\n");
  } finally {
    await db.close();
    await Deno.remove(dir, { recursive: true });
  }
});
