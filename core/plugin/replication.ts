import type { WalRecord } from "./wal.ts";

/** The role a node plays. */
export type ReplicaRole = "standalone" | "leader" | "follower" | "candidate";

/** A running replication member. */
export interface Replicator {
  role(): ReplicaRole;
  /** Proposes records; resolves with their LSN once a quorum has them. Only on the leader. */
  propose(records: readonly WalRecord[]): Promise<bigint>;
  /** Called, in order, for every committed record batch (followers apply them). */
  onCommit(listener: (lsn: bigint, records: readonly WalRecord[]) => void): void;
  stop(): Promise<void>;
}

/** Starts replication members. */
export interface ReplicationPlugin {
  readonly name: string;
  start(config: Readonly<Record<string, unknown>>): Promise<Replicator>;
}
