// The Worker parse pool gives exactly the result of a parse on the calling thread, including
// rejected lines, limits' errors and field type conflicts against existing tables.
import assert from "node:assert/strict";
import { dictCodesOf, valueAt } from "../../core/types/column.ts";
import type { TypeKind } from "../../core/types/data_type.ts";
import { generateCpuLineProtocol } from "../../tests/data/tsbs.ts";
import { createParsePool, parseInWorkerBytesMin } from "./parse_pool.ts";
import { parseLineProtocol } from "./parser.ts";
import type { ParseLineProtocolOptions, ParseResult } from "./types.ts";

/** Every value of every column, and the counts and errors, as plain data. */
function plain(r: ParseResult) {
  return {
    lines: r.lines,
    points: r.points,
    rejected: r.rejected,
    errors: r.errors,
    measurements: [...r.measurements.values()].map((m) => ({
      name: m.name,
      rows: m.rows,
      time: [...m.time],
      sub: m.subMicrosecondRows,
      merged: m.mergedPoints,
      tags: [...m.tags].map((
        [k, c],
      ) => [k, Array.from({ length: c.length }, (_, i) => valueAt(c, i))]),
      fields: [...m.fields].map((
        [k, f],
      ) => [k, f.type, Array.from({ length: f.column.length }, (_, i) => valueAt(f.column, i))]),
    })),
  };
}

const big = (text: string) => {
  const line = new TextEncoder().encode(text);
  const n = Math.ceil(parseInWorkerBytesMin / line.length) + 1;
  const out = new Uint8Array(line.length * n);
  for (let i = 0; i < n; i++) out.set(line, i * line.length);
  return out;
};

Deno.test("parse pool: TSBS bodies and bad lines parse as on the calling thread", async () => {
  const pool = createParsePool(2);
  try {
    const bodies = [...generateCpuLineProtocol({ rows: 20_000, batchRows: 5_000 })];
    const mixed = new TextEncoder().encode(
      new TextDecoder().decode(bodies[0]!) +
        'cpu,hostname=x usage_user="s" 1\nbroken line\ncpu,hostname=y usage_user=1 1000001\n',
    );
    for (const body of [...bodies, mixed]) {
      const options: ParseLineProtocolOptions = { defaultTimeMicros: 7 };
      const expected = plain(parseLineProtocol(body.slice(), options));
      const got = await pool.parse(body.slice(), options);
      assert.deepEqual(plain(got), expected);
      for (const m of got.measurements.values()) {
        for (const c of m.tags.values()) assert.ok(dictCodesOf(c) !== undefined, "tags keep codes");
      }
    }
    assert.ok(mixed.length >= parseInWorkerBytesMin);
  } finally {
    pool.close();
  }
});

Deno.test("parse pool: a conflict with a table's column rejects the same lines as a local parse", async () => {
  const pool = createParsePool(1);
  try {
    const body = big("m,host=a v=1i,w=2 1\n");
    const lines = new TextEncoder().encode("m,host=a v=1.5 2\n");
    const withBad = new Uint8Array(body.length + lines.length);
    withBad.set(body);
    withBad.set(lines, body.length);
    const table = new Map<string, TypeKind>([["v", "int8"], ["host", "text"]]);
    const options: ParseLineProtocolOptions = {
      defaultTimeMicros: 0,
      tableColumns: (m) => (m === "m" ? table : undefined),
    };
    const expected = plain(parseLineProtocol(withBad.slice(), options));
    assert.equal(expected.rejected, 1); // v=1.5 is a float, the column is int8
    assert.deepEqual(plain(await pool.parse(withBad.slice(), options)), expected);
    // every line conflicts: all rejected, as locally
    const floats = big("m v=1.5 1\n");
    assert.deepEqual(
      plain(await pool.parse(floats.slice(), options)),
      plain(parseLineProtocol(floats, options)),
    );
  } finally {
    pool.close();
  }
});

Deno.test("parse pool: option errors come back as the same DbError; small bodies and closed pools parse here", async () => {
  const pool = createParsePool(1);
  const body = big("m v=1 1\n");
  await assert.rejects(
    pool.parse(body, { defaultTimeMicros: 0, linesMax: 10 }),
    (e: Error & { code?: string }) => e.code === "54000",
  );
  const small = new TextEncoder().encode("m v=1 1\n");
  assert.equal((await pool.parse(small, { defaultTimeMicros: 0 })).points, 1);
  pool.close();
  assert.equal((await pool.parse(big("m v=1 1\n"), { defaultTimeMicros: 0 })).rejected, 0);
  assert.throws(() => createParsePool(-1), /parse workers/);
});
