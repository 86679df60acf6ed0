import assert from "node:assert/strict";
import { Database } from "../../mod.ts";
import { compileRegex, regexPatternCharsMax } from "./regex.ts";
import { formatText, quoteIdent, quoteLiteral } from "./format.ts";

Deno.test("~, !~, ~*, !~* and OPERATOR(pg_catalog.~) match as PostgreSQL's", async () => {
  const db = await Database.open({ memory: true });
  try {
    const r = await db.query(
      `SELECT 'pg_toast' ~ '^pg_', 'public' ~ '^pg_', 'Public' ~* '^public$', 'x' !~ 'y',
              'ABC' !~* 'abc', 'cpu' OPERATOR(pg_catalog.~) '^(cpu)$', NULL ~ 'a',
              'abc1' ~ '^[[:alpha:]]+[[:digit:]]$'`,
    );
    assert.deepEqual(r.rows[0], [true, false, true, true, false, true, null, true]);
    // binds looser than || (PostgreSQL's "other operator" precedence)
    assert.deepEqual((await db.query("SELECT 'a' || 'b' ~ '^ab$'")).rows, [[true]]);
    await assert.rejects(db.query("SELECT 'a' ~ '('"), { code: "2201B" });
    await assert.rejects(db.query(`SELECT 'a' ~ '${"a".repeat(regexPatternCharsMax + 1)}'`), {
      code: "2201B",
    });
    await assert.rejects(db.query("SELECT 'a' OPERATOR(myschema.~) 'a'"), { code: "42883" });
  } finally {
    await db.close();
  }
  assert.ok(compileRegex("^ABC$", true).test("abc"));
});

Deno.test("format(), quote_ident(), quote_literal(), parse_ident(), string_to_array()", async () => {
  assert.equal(formatText("%s|%I|%L|%%", ["a b", "Cpu", null]), 'a b|"Cpu"|NULL|%');
  assert.throws(() => formatText("%s %s", ["x"]), { code: "22023" });
  assert.throws(() => formatText("%I", [null]), { code: "22004" });
  assert.equal(quoteIdent("select"), '"select"');
  assert.equal(quoteIdent("value"), "value");
  assert.equal(quoteLiteral("it's"), "'it''s'");
  const db = await Database.open({ memory: true });
  try {
    const r = await db.query(
      `SELECT format('%I.%I', 'public', 'My T'), format('%s=%s', 1, true), quote_ident('time'),
              parse_ident('s."T"'), string_to_array('a,b,,c', ','), string_to_array('a-x-b', '-', 'x'),
              string_to_array('', ','), (parse_ident('a.b'))[2]`,
    );
    assert.deepEqual(r.rows[0], [
      'public."My T"',
      "1=t",
      '"time"',
      "{s,T}",
      '{a,b,"",c}',
      "{a,NULL,b}",
      "{}",
      "b",
    ]);
  } finally {
    await db.close();
  }
});
