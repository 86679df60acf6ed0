/**
 * Transaction-control statements, PostgreSQL's grammar:
 *
 * ```
 * BEGIN [WORK | TRANSACTION] [mode [, ...]]        START TRANSACTION [mode [, ...]]
 * SET TRANSACTION mode [, ...]                     SET SESSION CHARACTERISTICS AS TRANSACTION mode [, ...]
 * COMMIT | END [WORK | TRANSACTION] [AND [NO] CHAIN]
 * ROLLBACK | ABORT [WORK | TRANSACTION] [AND [NO] CHAIN]
 * SAVEPOINT name     RELEASE [SAVEPOINT] name     ROLLBACK [WORK | TRANSACTION] TO [SAVEPOINT] name
 * mode: ISOLATION LEVEL {SERIALIZABLE | REPEATABLE READ | READ COMMITTED | READ UNCOMMITTED}
 *       | READ WRITE | READ ONLY | [NOT] DEFERRABLE
 * ```
 *
 * @module
 */
import type {
  IsolationLevel,
  Statement,
  TransactionAction,
  TransactionModes,
} from "../../core/sql/ast.ts";
import type { CopyParserHost } from "./copy.ts";

/** The parts of the parser that transaction statements use (a subset of COPY's). */
export type TransactionParserHost = Pick<
  CopyParserHost,
  "tok" | "peek" | "next" | "isKw" | "isOp" | "acceptKw" | "acceptOp" | "error" | "ident"
>;

/**
 * Whether the current token starts a transaction-control statement.
 *
 * @example
 * ```ts
 * import { parseSql } from "./parser.ts";
 * const [s] = parseSql("begin isolation level repeatable read, read only");
 * console.assert(s!.kind === "transaction" && s!.action.kind === "begin");
 * ```
 */
export function startsTransactionStatement(p: TransactionParserHost): boolean {
  const next = p.peek();
  if (p.isKw("set")) {
    return p.isKw("transaction", next) ||
      (p.isKw("session", next) && p.isKw("characteristics", p.peek(2)));
  }
  if (p.isKw("start")) return p.isKw("transaction", next);
  return ["begin", "commit", "end", "rollback", "abort", "savepoint", "release"].some((w) =>
    p.isKw(w)
  );
}

/** Parses a transaction-control statement (see {@link startsTransactionStatement}). */
export function parseTransaction(p: TransactionParserHost): Statement {
  const t = p.next();
  const pos = t.pos;
  const done = (action: TransactionAction): Statement => ({ kind: "transaction", action, pos });
  const word = t.value;
  const optionalWork = () => p.acceptKw("work") || p.acceptKw("transaction");
  switch (word) {
    case "begin":
      optionalWork();
      return done({ kind: "begin", modes: modes(p, false), start: false });
    case "start":
      p.next(); // TRANSACTION
      return done({ kind: "begin", modes: modes(p, false), start: true });
    case "set": {
      let session = false;
      if (p.acceptKw("session")) {
        p.next(); // CHARACTERISTICS
        if (!p.acceptKw("as")) throw p.error("AS");
        session = true;
      }
      if (!p.acceptKw("transaction")) throw p.error("TRANSACTION");
      return done({ kind: "set_transaction", modes: modes(p, true), session });
    }
    case "commit":
    case "end":
      optionalWork();
      return done({ kind: "commit", chain: chain(p) });
    case "rollback":
    case "abort": {
      optionalWork();
      if (word === "rollback" && p.acceptKw("to")) {
        p.acceptKw("savepoint");
        return done({ kind: "rollback_to", name: p.ident("savepoint name") });
      }
      return done({ kind: "rollback", chain: chain(p) });
    }
    case "savepoint":
      return done({ kind: "savepoint", name: p.ident("savepoint name") });
    case "release":
      p.acceptKw("savepoint");
      return done({ kind: "release", name: p.ident("savepoint name") });
    default:
      throw p.error(undefined, t);
  }
}

/** `AND [NO] CHAIN`: whether a new transaction starts with the same modes. */
function chain(p: TransactionParserHost): boolean {
  if (!p.acceptKw("and")) return false;
  const no = p.acceptKw("no");
  if (!p.acceptKw("chain")) throw p.error("CHAIN");
  return !no;
}

/** Transaction modes, separated by commas or spaces; SET TRANSACTION needs at least one. */
function modes(p: TransactionParserHost, required: boolean): TransactionModes {
  let isolation: IsolationLevel | null = null;
  let readOnly: boolean | null = null;
  let deferrable: boolean | null = null;
  let any = false;
  for (;;) {
    if (p.acceptKw("isolation")) {
      if (!p.acceptKw("level")) throw p.error("LEVEL");
      if (p.acceptKw("serializable")) isolation = "serializable";
      else if (p.acceptKw("repeatable")) {
        if (!p.acceptKw("read")) throw p.error("READ");
        isolation = "repeatable read";
      } else if (p.acceptKw("read")) {
        if (p.acceptKw("committed")) isolation = "read committed";
        else if (p.acceptKw("uncommitted")) isolation = "read uncommitted";
        else throw p.error("COMMITTED or UNCOMMITTED");
      } else throw p.error("an isolation level");
    } else if (p.acceptKw("read")) {
      if (p.acceptKw("only")) readOnly = true;
      else if (p.acceptKw("write")) readOnly = false;
      else throw p.error("ONLY or WRITE");
    } else if (p.acceptKw("deferrable")) deferrable = true;
    else if (p.acceptKw("not")) {
      if (!p.acceptKw("deferrable")) throw p.error("DEFERRABLE");
      deferrable = false;
    } else break;
    any = true;
    p.acceptOp(",");
  }
  if (required && !any) throw p.error("a transaction mode");
  return { isolation, readOnly, deferrable };
}
