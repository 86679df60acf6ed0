/**
 * CREATE/ALTER/DROP USER and CREATE/DROP TOKEN: the WAL changes a statement makes (checked
 * against the catalog first, so an error changes nothing) and how a logged change is applied,
 * when it runs and again at WAL replay.
 *
 * Passwords are hashed here, before anything is logged: the WAL and the catalog only ever hold
 * SCRAM-SHA-256 verifiers, and tokens only their SHA-256. A password that already is a SCRAM
 * verifier is stored as is (as PostgreSQL does), so users move between servers without their
 * passwords.
 *
 * @example
 * ```ts
 * import { applyUserChange, planUserChange } from "./user_ddl.ts";
 * import { Catalog } from "../catalog/catalog.ts";
 * import { defaultLimits } from "../limits.ts";
 * const catalog = new Catalog(defaultLimits);
 * const { changes } = await planUserChange(
 *   { kind: "create_user", name: "ann", password: "pw" },
 *   catalog,
 * );
 * for (const c of changes) applyUserChange(c, catalog);
 * console.assert(catalog.getUser("ann")?.verifier?.startsWith("SCRAM-SHA-256$4096:"));
 * ```
 *
 * @module
 */
import type { Catalog } from "../catalog/catalog.ts";
import { createVerifier, isVerifier, sha256Hex } from "../catalog/scram.ts";
import { DbError, SqlState } from "../errors.ts";
import type { BoundStatement } from "../plan/bound_statement.ts";
import { Types } from "../types/mod.ts";
import type { QueryResult } from "./result.ts";
import type { DdlChange } from "./wal_codec.ts";

/** A bound user or token statement. */
export type BoundUserStatement = Extract<
  BoundStatement,
  { kind: "create_user" | "alter_user" | "drop_user" | "create_token" | "drop_token" }
>;

/** A logged user or token change. */
export type UserChange = Extract<
  DdlChange,
  { op: "create_user" | "alter_user" | "drop_user" | "create_token" | "drop_token" }
>;

/** Bytes of randomness in a token's id and in its secret. */
const tokenIdBytes = 6;
const tokenSecretBytes = 32;
/** Every token starts with this, so secret scanners and logs can spot one. */
export const tokenPrefix = "omendb_";

/**
 * The id of a token string (`omendb_<12 hex id>_<secret>`), or `null` when it has not that
 * shape.
 */
export function tokenIdOf(token: string): string | null {
  const m = /^omendb_([0-9a-f]{12})_[A-Za-z0-9_-]{43}$/.exec(token);
  return m === null ? null : m[1]!;
}

/** The changes a statement makes and its result. Throws (42710, 42704) before any change. */
export async function planUserChange(
  bound: BoundUserStatement,
  catalog: Catalog,
): Promise<{ readonly changes: UserChange[]; readonly result: QueryResult }> {
  const done = (command: string, changes: UserChange[]) => ({
    changes,
    result: { command, columns: [], rows: [], rowCount: 0 },
  });
  switch (bound.kind) {
    case "create_user":
    case "alter_user": {
      const exists = catalog.getUser(bound.name) !== null;
      if (bound.kind === "create_user" && exists) {
        throw new DbError(SqlState.duplicateObject, `role "${bound.name}" already exists`);
      }
      if (bound.kind === "alter_user" && !exists) throw noSuchRole(bound.name);
      checkUserName(bound.name);
      const old = catalog.getUser(bound.name)?.verifier ?? null;
      const verifier = bound.password === undefined
        ? old
        : bound.password === null
        ? null
        : isVerifier(bound.password)
        ? bound.password
        : await createVerifier(bound.password);
      const op = bound.kind;
      return done(op === "create_user" ? "CREATE ROLE" : "ALTER ROLE", [
        { op, user: { name: bound.name, verifier } },
      ]);
    }
    case "drop_user": {
      const names = bound.names.filter((n) => {
        if (catalog.getUser(n) !== null) return true;
        if (bound.ifExists) return false;
        throw noSuchRole(n);
      });
      return done("DROP ROLE", names.map((name) => ({ op: "drop_user", name })));
    }
    case "create_token": {
      if (catalog.getUser(bound.user) === null) throw noSuchRole(bound.user);
      const id = hex(crypto.getRandomValues(new Uint8Array(tokenIdBytes)));
      const secret = base64Url(crypto.getRandomValues(new Uint8Array(tokenSecretBytes)));
      const token = `${tokenPrefix}${id}_${secret}`;
      const change: UserChange = {
        op: "create_token",
        token: { id, user: bound.user, sha256: await sha256Hex(token) },
      };
      return {
        changes: [change],
        result: {
          command: "CREATE TOKEN",
          columns: [
            { name: "id", type: Types.text },
            { name: "user", type: Types.text },
            { name: "token", type: Types.text },
          ],
          rows: [[id, bound.user, token]],
          rowCount: 1,
        },
      };
    }
    case "drop_token": {
      if (catalog.getToken(bound.id) === null) {
        if (bound.ifExists) return done("DROP TOKEN", []);
        throw new DbError(SqlState.undefinedObject, `token "${bound.id}" does not exist`);
      }
      return done("DROP TOKEN", [{ op: "drop_token", id: bound.id }]);
    }
  }
}

/** Applies a logged change to the catalog. */
export function applyUserChange(change: UserChange, catalog: Catalog): void {
  switch (change.op) {
    case "create_user":
      catalog.createUser(change.user);
      return;
    case "alter_user":
      catalog.alterUser(change.user);
      return;
    case "drop_user":
      catalog.dropUser(change.name);
      return;
    case "create_token":
      catalog.createToken(change.token);
      return;
    case "drop_token":
      catalog.dropToken(change.id);
      return;
  }
}

/** Longest user name, in bytes (PostgreSQL's NAMEDATALEN - 1). */
const userNameBytesMax = 63;

function checkUserName(name: string): void {
  const bytes = new TextEncoder().encode(name).length;
  if (bytes === 0 || bytes > userNameBytesMax) {
    throw new DbError(
      SqlState.invalidName,
      `user name must be 1 to ${userNameBytesMax} bytes long, got ${bytes}`,
    );
  }
}

function noSuchRole(name: string): DbError {
  return new DbError(SqlState.undefinedObject, `role "${name}" does not exist`);
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function base64Url(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}
