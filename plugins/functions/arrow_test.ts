import assert from "node:assert/strict";
import { Database, DbError } from "../../mod.ts";
import { ManualClock, realEnv } from "../../core/env/mod.ts";
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

Deno.test("to_unixtime counts whole seconds toward zero; from_unixtime inverts it", async () => {
  const db = await Database.open({ memory: true });
  assert.deepEqual(
    await row(
      db,
      `SELECT to_unixtime('2020-09-08T12:00:00+00:00'), to_unixtime(DATE '2020-09-08'),
        to_unixtime(TIMESTAMP '2020-09-08 00:00:00.9'), to_unixtime(1599523200.414::float8),
        to_unixtime(1599523200), to_unixtime(TIMESTAMP '1969-12-31 23:59:59.5'),
        to_unixtime(-2.7), to_unixtime(NULL), arrow_typeof(to_unixtime(1))`,
    ),
    [1599566400n, 1599523200n, 1599523200n, 1599523200n, 1599523200n, 0n, -2n, null, "Int64"],
  );
  assert.deepEqual(
    await row(db, "SELECT from_unixtime(1599566400), from_unixtime(NULL), from_unixtime(-1)"),
    [Date.parse("2020-09-08T12:00:00Z") * 1000, null, -1_000_000],
  );
  const code = (sql: string) =>
    db.query(sql).then(() => "ok", (e) => (e instanceof DbError ? e.code : String(e)));
  assert.equal(await code("SELECT to_unixtime('infinity'::timestamp)"), "22003");
  assert.equal(await code("SELECT to_unixtime('not a time')"), "22007");
  assert.equal(await code("SELECT from_unixtime(9223372036854775807)"), "22008");
  assert.equal(await code("SELECT from_unixtime(1.5)"), "42883");
  await db.close();
});

Deno.test("today() and current_date() are current_date", async () => {
  const clock = new ManualClock(Date.UTC(2024, 0, 2, 3, 4, 5) * 1000);
  const db = await Database.open({ memory: true, env: { ...realEnv(), clock } });
  assert.deepEqual(
    await row(db, "SELECT today()::text, current_date()::text, today() = current_date"),
    ["2024-01-02", "2024-01-02", true],
  );
  await db.close();
});

Deno.test("to_timestamp(timestamp) is the timestamp; to_timestamp(number) stays PostgreSQL's", async () => {
  const db = await Database.open({ memory: true });
  assert.deepEqual(
    await row(
      db,
      `SELECT to_timestamp(TIMESTAMP '2020-09-08 13:42:29.190855'),
        pg_typeof(to_timestamp(TIMESTAMP '2020-09-08 13:42:29'))::text,
        pg_typeof(to_timestamp(1))::text, pg_typeof(to_timestamp(NULL))::text`,
    ),
    [
      Date.parse("2020-09-08T13:42:29.190Z") * 1000 + 855,
      "timestamp without time zone",
      "timestamp with time zone",
      "timestamp with time zone",
    ],
  );
  await db.close();
});
