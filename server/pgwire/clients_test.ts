/**
 * Real clients against the PostgreSQL protocol server: psql (libpq: `-c`, `\copy` in and out,
 * `sslmode=require` against a certificate made here with openssl, SCRAM login and a wrong
 * password) and postgres.js (tagged templates, `sql.begin`).
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import { Database } from "../../mod.ts";
import { createScramAuth } from "../../plugins/auth/mod.ts";
import { PgServer, type PgServerOptions } from "./mod.ts";
import { checkPrereq, prereqTest } from "../../tests/support/prereq.ts";

async function runs(program: string, args: string[]): Promise<boolean> {
  const out = await new Deno.Command(program, { args, stdout: "null", stderr: "null" }).output();
  return out.success;
}
const psqlPrereq = await checkPrereq(
  "psql",
  () => runs("psql", ["--version"]),
  "apt-get install -y postgresql-client",
);
const opensslPrereq = await checkPrereq(
  "openssl",
  () => runs("openssl", ["version"]),
  "apt-get install -y openssl",
);

async function psql(
  port: number,
  args: string[],
  env: Record<string, string> = {},
  conninfo = "",
): Promise<{ code: number; out: string; err: string }> {
  const out = await new Deno.Command("psql", {
    args: [
      `host=127.0.0.1 port=${port} user=omendb dbname=omendb ${conninfo}`,
      "-X",
      "-v",
      "ON_ERROR_STOP=1",
      ...args,
    ],
    env: { PGCONNECT_TIMEOUT: "10", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const d = new TextDecoder();
  return { code: out.code, out: d.decode(out.stdout), err: d.decode(out.stderr) };
}

async function serve(
  db: Database,
  options: Partial<PgServerOptions> = {},
): Promise<PgServer> {
  return await PgServer.listen({ db, host: "127.0.0.1", port: 0, ...options });
}

prereqTest([psqlPrereq], {
  name: "clients: psql -c, \\copy in and out (text and CSV), errors",
  async fn() {
    const db = await Database.open({ memory: true });
    const server = await serve(db);
    const dir = await Deno.makeTempDir();
    try {
      let r = await psql(server.port, [
        "-c",
        "CREATE TABLE m (host TEXT, ts TIMESTAMPTZ, v DOUBLE PRECISION)",
      ]);
      assert.equal(r.code, 0, r.err);
      await Deno.writeTextFile(
        `${dir}/in.csv`,
        'a,2024-01-01 00:00:00+00,1.5\nb,2024-01-01 00:01:00+00,\n"c,d",2024-01-01 00:02:00+00,3\n',
      );
      r = await psql(server.port, ["-c", `\\copy m FROM '${dir}/in.csv' (FORMAT csv)`]);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /COPY 3/);
      await Deno.writeTextFile(`${dir}/in.txt`, "e\t2024-01-02 00:00:00+00\t\\N\n");
      r = await psql(server.port, ["-c", `\\copy m FROM '${dir}/in.txt'`]);
      assert.equal(r.code, 0, r.err);
      r = await psql(server.port, ["-At", "-c", "SELECT host, v FROM m ORDER BY ts"]);
      assert.equal(r.out, "a|1.5\nb|\nc,d|3\ne|\n");
      r = await psql(server.port, [
        "-c",
        `\\copy (SELECT host, v FROM m ORDER BY ts) TO '${dir}/out.csv' (FORMAT csv)`,
      ]);
      assert.equal(r.code, 0, r.err);
      assert.equal(await Deno.readTextFile(`${dir}/out.csv`), 'a,1.5\nb,\n"c,d",3\ne,\n');
      r = await psql(server.port, ["-c", `\\copy m TO '${dir}/out.txt'`]);
      assert.equal(r.code, 0, r.err);
      assert.equal((await Deno.readTextFile(`${dir}/out.txt`)).split("\n").length, 5);
      // a bad row fails the whole COPY; the connection goes on
      await Deno.writeTextFile(`${dir}/bad.csv`, "x,2024-01-01 00:00:00+00,1\ny,notatime,2\n");
      r = await psql(server.port, [
        "-c",
        `\\copy m FROM '${dir}/bad.csv' (FORMAT csv)`,
      ]);
      assert.notEqual(r.code, 0);
      assert.match(r.err, /ERROR: .*notatime/);
      r = await psql(server.port, ["-At", "-c", "SELECT count(*) FROM m"]);
      assert.equal(r.out, "4\n");
      r = await psql(server.port, ["-c", "SELECT * FROM nope"]);
      assert.match(r.err, /ERROR: {2}relation "nope" does not exist/);
    } finally {
      await server.close();
      await db.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

prereqTest([psqlPrereq, opensslPrereq], {
  name: "clients: psql sslmode=require (openssl certificate), SCRAM login, wrong password 28P01",
  async fn() {
    const dir = await Deno.makeTempDir();
    const gen = await new Deno.Command("openssl", {
      args: [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=localhost",
        "-keyout",
        `${dir}/key.pem`,
        "-out",
        `${dir}/cert.pem`,
        "-addext",
        "basicConstraints=critical,CA:FALSE",
        "-addext",
        "subjectAltName=DNS:localhost,IP:127.0.0.1",
      ],
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.equal(gen.code, 0, new TextDecoder().decode(gen.stderr));
    const db = await Database.open({ memory: true });
    await db.query("CREATE USER ann WITH PASSWORD 'pa55'");
    const tls = {
      key: await Deno.readTextFile(`${dir}/key.pem`),
      cert: await Deno.readTextFile(`${dir}/cert.pem`),
    };
    const auth = {
      required: true,
      trustLoopback: false,
      method: "scram-sha-256" as const,
      plugin: createScramAuth(),
      directory: db.authDirectory(),
    };
    const server = await serve(db, { tls, auth });
    try {
      let r = await psql(
        server.port,
        ["-At", "-c", "SELECT 40 + 2"],
        { PGPASSWORD: "pa55" },
        "user=ann sslmode=require",
      );
      assert.equal(r.code, 0, r.err);
      assert.equal(r.out, "42\n");
      // verify-full: the certificate is checked against the host name
      r = await psql(
        server.port,
        ["-At", "-c", "SELECT 1"],
        { PGPASSWORD: "pa55" },
        `user=ann sslmode=verify-full sslrootcert=${dir}/cert.pem host=localhost`,
      );
      assert.equal(r.code, 0, r.err);
      r = await psql(server.port, ["-c", "SELECT 1"], { PGPASSWORD: "nope" }, "user=ann");
      assert.notEqual(r.code, 0);
      assert.match(r.err, /password authentication failed for user "ann"/);
    } finally {
      await server.close();
    }
    // cleartext password, only over TLS
    const clear = await serve(db, { tls, auth: { ...auth, method: "password" } });
    try {
      const r = await psql(
        clear.port,
        ["-At", "-c", "SELECT 'clear'"],
        { PGPASSWORD: "pa55" },
        "user=ann sslmode=require",
      );
      assert.equal(r.code, 0, r.err);
      assert.equal(r.out, "clear\n");
    } finally {
      await clear.close();
      await db.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("clients: postgres.js tagged templates, sql.begin commit and rollback", async () => {
  const db = await Database.open({ memory: true });
  const server = await serve(db);
  const sql = postgres({
    host: "127.0.0.1",
    port: server.port,
    user: "omendb",
    database: "omendb",
    fetch_types: false,
    max: 4,
    onnotice: () => {},
  });
  try {
    await sql`CREATE TABLE acct (id INTEGER, bal BIGINT, name TEXT, at TIMESTAMPTZ)`;
    const at = new Date("2024-05-01T10:00:00Z");
    await sql`INSERT INTO acct VALUES (${1}, ${100}, ${"ann"}, ${at}), (${2}, ${50}, ${"bob"}, ${at})`;
    const rows = await sql`SELECT id, name, at FROM acct WHERE bal > ${60} ORDER BY id`;
    assert.deepEqual(rows.map((r) => [r.id, r.name]), [[1, "ann"]]);
    assert.equal(new Date(rows[0]!.at as string).toISOString(), at.toISOString());
    await sql.begin(async (tx) => {
      await tx`UPDATE acct SET bal = bal - 10 WHERE id = 1`;
      await tx`UPDATE acct SET bal = bal + 10 WHERE id = 2`;
    });
    await assert.rejects(
      sql.begin(async (tx) => {
        await tx`UPDATE acct SET bal = 0 WHERE id = 1`;
        await tx`SELECT 1/0`;
      }),
      (e: { code?: string }) => e.code === "22012",
    );
    const after = await sql`SELECT id, bal FROM acct ORDER BY id`;
    assert.deepEqual(after.map((r) => [r.id, String(r.bal)]), [[1, "90"], [2, "60"]]);
    const unsafe = await sql.unsafe("SELECT $1::int + 1 AS n", [41]);
    assert.equal(unsafe[0]!.n, 42);
  } finally {
    await sql.end();
    await server.close();
    await db.close();
  }
});

prereqTest([psqlPrereq], {
  name: "clients: psql's \\d family over the wire; pg_stat_activity names the client",
  async fn() {
    const db = await Database.open({ memory: true });
    const server = await serve(db);
    try {
      await db.query(
        "CREATE TABLE cpu (time TIMESTAMPTZ NOT NULL, host TEXT, usage DOUBLE PRECISION)",
      );
      await db.query("CREATE SCHEMA iot; CREATE TABLE iot.air (t TIMESTAMPTZ, temp REAL)");
      const list = await psql(server.port, ["-c", "\\dt"]);
      assert.equal(list.code, 0, list.err);
      assert.match(list.out, /public \| cpu +\| table/);
      const one = await psql(server.port, ["-c", "\\d cpu"]);
      assert.equal(one.code, 0, one.err);
      assert.match(one.out, /Table "public\.cpu"/);
      assert.match(one.out, /time +\| timestamp with time zone +\| +\| not null/);
      assert.match(one.out, /usage +\| double precision/);
      const schemas = await psql(server.port, ["-c", "\\dn"]);
      assert.match(schemas.out, /iot/);
      const dbs = await psql(server.port, ["-c", "\\l"]);
      assert.equal(dbs.code, 0, dbs.err);
      assert.match(dbs.out, /omendb/);
      const air = await psql(server.port, ["-c", "\\d iot.air"]);
      assert.match(air.out, /temp +\| real/);
      // the session of a wire connection carries its user, client address and application
      const who = await psql(
        server.port,
        [
          "-At",
          "-c",
          "SELECT usename, client_addr, application_name, pid = pg_backend_pid(), state " +
          "FROM pg_stat_activity WHERE pid = pg_backend_pid()",
        ],
        { PGAPPNAME: "wiretest" },
      );
      assert.equal(who.code, 0, who.err);
      assert.equal(who.out.trim(), "omendb|127.0.0.1|wiretest|t|active");
    } finally {
      await server.close();
      await db.close();
    }
  },
});

Deno.test("clients: postgres.js with its default type discovery (pg_type at connect)", async () => {
  const db = await Database.open({ memory: true });
  const server = await serve(db);
  const sql = postgres({
    host: "127.0.0.1",
    port: server.port,
    user: "omendb",
    database: "omendb",
    max: 1,
    onnotice: () => {},
  });
  try {
    const [row] = await sql`SELECT ${7}::int8 AS n, current_database() AS d, version() AS v`;
    assert.equal(String(row!.n), "7");
    assert.equal(row!.d, "omendb");
    assert.match(String(row!.v), /^PostgreSQL 15/);
  } finally {
    await sql.end();
    await server.close();
    await db.close();
  }
});
