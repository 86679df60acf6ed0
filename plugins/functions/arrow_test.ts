import assert from "node:assert/strict";
import { Database } from "../../mod.ts";
import { parseArrowType } from "./arrow.ts";

async function row(db: Database, sql: string) {
  return (await db.query(sql)).rows[0];
}

Deno.test("arrow_typeof names the Arrow type of each SQL type", async () => {
  const db = await Database.open({ memory: true });
  assert.deepEqual(
    await row(
      db,
      `SELECT arrow_typeof(1), arrow_typeof(1::bigint), arrow_typeof('a'), arrow_typeof(NULL),
        arrow_typeof(1.5::numeric(10,2)), arrow_typeof(1::numeric(50,6)), arrow_typeof(2.5::float8),
        arrow_typeof(DATE '2020-01-01'), arrow_typeof(INTERVAL '1 day'), arrow_typeof(true)`,
    ),
    [
      "Int32",
      "Int64",
      "Utf8",
      "Null",
      "Decimal128(10, 2)",
      "Decimal256(50, 6)",
      "Float64",
      "Date32",
      "Interval(MonthDayNano)",
      "Boolean",
    ],
  );
  await db.close();
});

Deno.test("arrow_cast casts to an Arrow type name; integers count the timestamp unit", async () => {
  const db = await Database.open({ memory: true });
  const us = (iso: string) => Date.parse(iso) * 1000;
  assert.deepEqual(
    await row(
      db,
      `SELECT arrow_cast(1599572549190855123, 'Timestamp(Nanosecond, None)'),
        arrow_cast(1599572549, 'Timestamp(Second, None)'),
        arrow_cast('2020-01-01 10:00:01.5'::timestamp, 'Timestamp(Second, None)'),
        arrow_cast('foo', 'Dictionary(Int32, Utf8)'), arrow_cast(123, 'Decimal128(5, 2)'),
        arrow_typeof(arrow_cast(1, 'Int64'))`,
    ),
    [
      1599572549190855,
      1599572549000000,
      us("2020-01-01T10:00:01Z"),
      "foo",
      "123.00",
      "Int64",
    ],
  );
  const code = async (sql: string) => {
    try {
      await db.query(sql);
      return "no error";
    } catch (e) {
      return (e as { code?: string }).code;
    }
  };
  assert.equal(await code("SELECT arrow_cast(1, 'Foo')"), "22023");
  assert.equal(await code("SELECT arrow_cast(1, 'Int' || '64')"), "22023");
  assert.equal(await code("SELECT arrow_cast(1, 'List(Int64)')"), "0A000");
  assert.deepEqual(
    await row(
      db,
      "SELECT arrow_cast(3723000000000, 'Time64(Nanosecond)')::text, arrow_cast(61, 'Time32(Second)')::text",
    ),
    ["01:02:03", "00:01:01"],
  );
  assert.equal(
    await code(`SELECT arrow_cast(1, 'Timestamp(Second, Some("Mars/Olympus_Mons"))')`),
    "22023",
  );
  assert.equal(
    await code(`SELECT arrow_cast(1, 'Timestamp(Second, Some("Europe/Berlin"))')`),
    "no error",
  );
  await db.close();
});

Deno.test("to_timestamp_<unit> counts integers in the unit and truncates text to it", async () => {
  const db = await Database.open({ memory: true });
  assert.deepEqual(
    await row(
      db,
      `SELECT to_timestamp_millis(1599572549190), to_timestamp_seconds('2020-01-01T10:00:01.7Z'),
        to_timestamp_micros(5), to_timestamp_nanos(1999), to_timestamp_nanos(NULL)`,
    ),
    [1599572549190000, Date.parse("2020-01-01T10:00:01Z") * 1000, 5, 1, null],
  );
  await db.close();
});

Deno.test("parseArrowType maps nested and parameterised names", () => {
  assert.equal(parseArrowType("Dictionary(Int64, LargeUtf8)").type.kind, "text");
  assert.deepEqual(parseArrowType("Decimal256(60, 6)").type, {
    kind: "numeric",
    precision: 60,
    scale: 6,
  });
  assert.equal(parseArrowType('Timestamp(Millisecond, Some("UTC"))').type.kind, "timestamptz");
  assert.throws(() => parseArrowType("Decimal128(5)"));
});
