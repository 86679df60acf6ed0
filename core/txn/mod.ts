/**
 * Transactions: MVCC state of each transaction, the manager that orders them, and the view a
 * statement reads through.
 *
 * @example
 * ```ts
 * import { TransactionManager } from "./mod.ts";
 * const m = new TransactionManager(10);
 * const t = m.begin("read committed", false, false, 0);
 * m.end(t, true);
 * console.assert(m.activeCount === 0 && t.committed);
 * ```
 *
 * @module
 */
export {
  type Isolation,
  type PrivateRows,
  type Savepoint,
  Transaction,
  WaitForTransaction,
} from "./transaction.ts";
export { TransactionManager } from "./manager.ts";
export { type StatementView, storedRowCount, transactionReader, viewFields } from "./reader.ts";
