/**
 * Users and API tokens, in PostgreSQL's grammar where it has one:
 *
 * ```
 * CREATE USER name [[WITH] option ...]        CREATE ROLE name [WITH] LOGIN [option ...]
 * ALTER USER|ROLE name [[WITH] option ...]    DROP USER|ROLE [IF EXISTS] name [, ...]
 * option: LOGIN | [ENCRYPTED] PASSWORD 'pw' | PASSWORD NULL
 * CREATE TOKEN FOR USER name                  DROP TOKEN [IF EXISTS] 'id'
 * ```
 *
 * Other role options (SUPERUSER, CREATEDB, IN ROLE, VALID UNTIL, ...) are refused (0A000):
 * roles and grants come later.
 *
 * @module
 */
import type { Statement } from "../../core/sql/ast.ts";
import { DbError, SqlState } from "../../core/errors.ts";
import type { CopyParserHost } from "./copy.ts";
import type { Token } from "./tokenizer.ts";

/** The parts of the parser that these statements use (COPY's, plus `expectKw`). */
export type UserParserHost =
  & Pick<
    CopyParserHost,
    "tok" | "peek" | "next" | "isKw" | "isOp" | "acceptKw" | "acceptOp" | "error" | "anyIdent"
  >
  & { expectKw(word: string): Token };

/** Whether the current token starts `USER`/`ROLE`/`TOKEN` after CREATE, ALTER or DROP. */
export function isUserStatement(p: UserParserHost): boolean {
  return p.isKw("user") || p.isKw("role") || p.isKw("token");
}

/**
 * Parses the rest of `CREATE|ALTER USER|ROLE ...` or `CREATE TOKEN ...`; the current token is
 * USER, ROLE or TOKEN.
 *
 * @example
 * ```ts
 * import { parseSql } from "./parser.ts";
 * const [s] = parseSql("CREATE USER ann WITH PASSWORD 'pw'");
 * console.assert(s!.kind === "create_user" && s!.password === "pw");
 * ```
 */
export function parseCreateOrAlterUser(
  p: UserParserHost,
  verb: "create" | "alter",
  pos: number,
): Statement {
  if (verb === "create" && p.acceptKw("token")) {
    p.expectKw("for");
    if (!p.acceptKw("user")) p.expectKw("role");
    return { kind: "create_token", user: p.anyIdent("user name"), pos };
  }
  const isRole = p.next().value === "role";
  const name = p.anyIdent(isRole ? "role name" : "user name");
  p.acceptKw("with");
  let password: string | null | undefined = undefined;
  let login = !isRole || verb === "alter";
  while (p.tok.kind !== "eof" && !p.isOp(";")) {
    if (p.acceptKw("login")) login = true;
    else if (p.acceptKw("password") || p.acceptKw("encrypted", "password")) {
      if (p.acceptKw("null")) password = null;
      else if (p.tok.kind === "string") password = p.next().value;
      else throw p.error("a password string or NULL");
    } else {
      const t = p.tok;
      const what = t.kind === "ident" ? t.value.toUpperCase() : t.value;
      throw new DbError(
        SqlState.featureNotSupported,
        `role option ${what} is not supported yet; users take LOGIN and PASSWORD`,
        { position: t.pos + 1 },
      );
    }
  }
  if (!login) {
    throw new DbError(
      SqlState.featureNotSupported,
      "roles without LOGIN (groups) are not supported yet; write CREATE ROLE name LOGIN or CREATE USER name",
      { position: pos + 1 },
    );
  }
  return { kind: verb === "create" ? "create_user" : "alter_user", name, password, pos };
}

/** Parses the rest of `DROP USER|ROLE|TOKEN ...`; the current token is USER, ROLE or TOKEN. */
export function parseDropUser(p: UserParserHost, pos: number): Statement {
  if (p.acceptKw("token")) {
    const ifExists = p.acceptKw("if", "exists");
    const t = p.tok;
    if (t.kind !== "string" && t.kind !== "ident" && t.kind !== "qident") {
      throw p.error("a token id");
    }
    p.next();
    return { kind: "drop_token", id: t.value, ifExists, pos };
  }
  const isRole = p.next().value === "role";
  const ifExists = p.acceptKw("if", "exists");
  const what = isRole ? "role name" : "user name";
  const names = [p.anyIdent(what)];
  while (p.acceptOp(",")) names.push(p.anyIdent(what));
  return { kind: "drop_user", names, ifExists, pos };
}
