import assert from "node:assert/strict";
import { join } from "node:path";
import { Database, DbError } from "../../mod.ts";
import { checkPassword, sha256Hex } from "../catalog/scram.ts";
import { tokenIdOf } from "./user_ddl.ts";

async function fails(db: Database, sql: string, code: string): Promise<void> {
  await assert.rejects(db.query(sql), (e) => e instanceof DbError && e.code === code);
}

function verifierOf(db: Database, user: string): string | null {
  const u = db.authDirectory().user(user);
  assert(u !== null, `user ${user} exists`);
  return u.verifier;
}

Deno.test("users: CREATE, ALTER and DROP USER / ROLE, with PostgreSQL's codes", async () => {
  const db = await Database.open({ memory: true });
  const r = await db.query("CREATE USER ann WITH PASSWORD 'pw1'");
  assert.equal(r.command, "CREATE ROLE");
  assert(await checkPassword(verifierOf(db, "ann")!, "pw1"));
  await fails(db, "CREATE USER ann PASSWORD 'x'", "42710");
  await fails(db, "CREATE ROLE ann LOGIN PASSWORD 'x'", "42710");
  await db.query("ALTER USER ann PASSWORD 'pw2'");
  assert(await checkPassword(verifierOf(db, "ann")!, "pw2"));
  assert(!(await checkPassword(verifierOf(db, "ann")!, "pw1")));
  await fails(db, "ALTER USER bob PASSWORD 'x'", "42704");
  await db.query(`CREATE ROLE "Bob" WITH LOGIN ENCRYPTED PASSWORD 'pw'`);
  await db.query("CREATE USER carl");
  assert.equal(verifierOf(db, "carl"), null);
  await db.query("ALTER ROLE carl WITH PASSWORD 'c'");
  await db.query("ALTER USER carl PASSWORD NULL");
  assert.equal(verifierOf(db, "carl"), null);
  await fails(db, "CREATE ROLE grp", "0A000"); // no LOGIN: a group role
  await fails(db, "CREATE USER dan SUPERUSER", "0A000");
  await fails(db, "DROP USER nobody", "42704");
  await db.query("DROP USER IF EXISTS nobody, carl");
  assert.equal(db.authDirectory().user("carl"), null);
  await db.query(`DROP ROLE "Bob"`);
  assert.equal(db.authDirectory().user("Bob"), null);
  await db.close();
});

Deno.test("users: a SCRAM verifier given as the password is stored as is", async () => {
  const db = await Database.open({ memory: true });
  const v =
    "SCRAM-SHA-256$4096:2+P2Q9FEFknOmykkGcjzVg==$kW30/DRUhdcXjphjDK1HZ6YCPAQT6wtu339G3Dp6Svc=:gSIukXwuwss+OnzVLgA8tK1PxcmFrsidmUqf9Hj1qvs=";
  await db.query(`CREATE USER ann PASSWORD '${v}'`);
  assert.equal(verifierOf(db, "ann"), v);
  assert(await checkPassword(v, "pencil"));
  await db.close();
});

Deno.test("users and tokens are DDL: refused inside a transaction block (25001)", async () => {
  const db = await Database.open({ memory: true });
  await db.query("CREATE USER ann");
  const session = db.session();
  for (
    const sql of [
      "CREATE USER bob",
      "ALTER USER ann PASSWORD 'x'",
      "DROP USER ann",
      "CREATE TOKEN FOR USER ann",
      "DROP TOKEN 'abc'",
    ]
  ) {
    await session.query("BEGIN");
    await assert.rejects(session.query(sql), (e) => e instanceof DbError && e.code === "25001");
    await session.query("ROLLBACK");
  }
  await session.close();
  await db.close();
});

Deno.test("tokens: shown once, stored as SHA-256, dropped by id and with their user", async () => {
  const db = await Database.open({ memory: true });
  await fails(db, "CREATE TOKEN FOR USER ann", "42704");
  await db.query("CREATE USER ann");
  const r = await db.query("CREATE TOKEN FOR USER ann");
  assert.equal(r.command, "CREATE TOKEN");
  assert.deepEqual(r.columns.map((c) => c.name), ["id", "user", "token"]);
  const [id, user, token] = r.rows[0] as [string, string, string];
  assert.equal(user, "ann");
  assert.equal(tokenIdOf(token), id);
  const stored = db.authDirectory().token(id)!;
  assert.equal(stored.sha256, await sha256Hex(token));
  assert(!JSON.stringify(stored).includes(token.slice(20)));
  await db.query(`DROP TOKEN '${id}'`);
  assert.equal(db.authDirectory().token(id), null);
  await fails(db, `DROP TOKEN '${id}'`, "42704");
  await db.query(`DROP TOKEN IF EXISTS '${id}'`);
  const again = (await db.query("CREATE ROLE x LOGIN; CREATE TOKEN FOR ROLE ann")).rows[0]!;
  await db.query("DROP USER ann");
  assert.equal(db.authDirectory().token(again[0] as string), null);
  await db.close();
});

Deno.test("users and tokens persist across reopen (WAL replay and checkpoint), never in clear", async () => {
  const dir = await Deno.makeTempDir();
  try {
    let db = await Database.open({ path: dir });
    await db.query("CREATE USER ann PASSWORD 'secret-one'");
    await db.query("CREATE USER bob PASSWORD 'secret-two'");
    const token = (await db.query("CREATE TOKEN FOR USER bob")).rows[0]![2] as string;
    await db.query("DROP USER ann");
    const bobVerifier = verifierOf(db, "bob");
    await db.close();

    // nothing on disk holds a password or the token
    for await (const path of walk(dir)) {
      const text = new TextDecoder("latin1").decode(await Deno.readFile(path));
      for (const secret of ["secret-one", "secret-two", token]) {
        assert(!text.includes(secret), `${path} holds a secret`);
      }
    }

    db = await Database.open({ path: dir }); // from the WAL
    assert.equal(db.authDirectory().user("ann"), null);
    assert.equal(verifierOf(db, "bob"), bobVerifier);
    assert.equal(db.authDirectory().token(tokenIdOf(token)!)?.user, "bob");
    await db.query("CHECKPOINT");
    await db.query("ALTER USER bob PASSWORD 'secret-three'");
    await db.close();

    db = await Database.open({ path: dir }); // from the checkpoint's catalog, then the WAL
    assert(await checkPassword(verifierOf(db, "bob")!, "secret-three"));
    assert.equal(db.authDirectory().token(tokenIdOf(token)!)?.user, "bob");
    await db.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

async function* walk(dir: string): AsyncGenerator<string> {
  for await (const e of Deno.readDir(dir)) {
    const path = join(dir, e.name);
    if (e.isDirectory) yield* walk(path);
    else if (e.isFile) yield path;
  }
}
