/**
 * WAL append throughput on a real temp folder, `sync: "fsync"`: the `file` WAL with group commit
 * against the same records written with one fdatasync per append (no group commit), from 1, 16
 * and 64 concurrent writers, with tiny payloads and with 500 KB ones (the size of a 5,000-row
 * batch). Every append waits for durability in both contenders.
 *
 * @module
 */
import { denoFileSystem } from "../core/env/fs.ts";
import { realEnv } from "../core/env/mod.ts";
import type { Wal } from "../core/plugin/wal.ts";
import { encodeRecord, fileWalPlugin } from "../plugins/wal/mod.ts";
import type { Benchmark, Contender } from "./harness.ts";

/** Writer counts measured. */
export const walBenchWriters = [1, 16, 64] as const;

/** One workload: payload size and appends per run. */
interface Workload {
  readonly label: string;
  readonly payloadBytes: number;
  readonly appendsPerRun: number;
}

/** Tiny records (an UPDATE's worth) and 5,000-row batches (about 500 KB as rows JSON). */
const workloads: readonly Workload[] = [
  { label: "tiny", payloadBytes: 100, appendsPerRun: 1024 },
  { label: "500kb", payloadBytes: 500_000, appendsPerRun: 64 },
];

/** Runs `appends` appends from `writers` concurrent writers, each awaiting its own. */
async function drive(
  writers: number,
  appends: number,
  append: (payload: Uint8Array) => Promise<unknown>,
  payload: Uint8Array,
): Promise<void> {
  let left = appends;
  await Promise.all(Array.from({ length: writers }, async () => {
    while (left > 0) {
      left--;
      await append(payload);
    }
  }));
}

/** The peer: one write + fdatasync per append, appends serialized (the pre-group-commit WAL). */
async function fsyncPerAppend(path: string) {
  const file = await denoFileSystem.openAppend(path);
  let tail: Promise<unknown> = Promise.resolve();
  let lsn = 0n;
  let fsyncs = 0;
  return {
    append(payload: Uint8Array): Promise<unknown> {
      const run = async () => {
        await file.write(encodeRecord(1, ++lsn, payload));
        await file.sync();
        fsyncs++;
      };
      const p = tail.then(run);
      tail = p.catch(() => {});
      return p;
    },
    fsyncs: () => fsyncs,
    close: () => file.close(),
  };
}

function walAppendBench(w: Workload, writers: number): Benchmark {
  return {
    name: `wal_append_${w.label}_w${writers}`,
    description:
      `WAL appends of ${w.payloadBytes}-byte payloads from ${writers} writers (fsync mode): ` +
      `group commit vs one fdatasync per append`,
    async prepare() {
      const root = await Deno.makeTempDir({ prefix: "omendb-wal-bench-" });
      const payload = new Uint8Array(w.payloadBytes);
      crypto.getRandomValues(payload.subarray(0, Math.min(payload.length, 65_536)));
      let run = 0;
      let wal: Wal | null = null;
      let peer: Awaited<ReturnType<typeof fsyncPerAppend>> | null = null;
      const per = { group: { appends: 0, fsyncs: 0 }, single: { appends: 0, fsyncs: 0 } };
      const fresh = async () => {
        const dir = `${root}/${++run}`;
        await Deno.mkdir(dir);
        return dir;
      };
      const group: Contender = {
        name: "omendb_group_commit",
        before: async () => {
          wal = await fileWalPlugin.open({ env: realEnv(), dir: await fresh(), log: () => {} });
        },
        run: () =>
          drive(writers, w.appendsPerRun, (p) => wal!.append([{ type: 1, payload: p }]), payload),
        after: async () => {
          const s = wal!.stats();
          per.group.appends += s.appends;
          per.group.fsyncs += s.fsyncs; // rotations' header syncs included; open's is not counted
          await wal!.close();
        },
      };
      const single: Contender = {
        name: "fsync_per_append",
        before: async () => {
          peer = await fsyncPerAppend(`${await fresh()}/0000000000000001.wal`);
        },
        run: () => drive(writers, w.appendsPerRun, (p) => peer!.append(p), payload),
        after: () => {
          per.single.appends += w.appendsPerRun;
          per.single.fsyncs += peer!.fsyncs();
          peer!.close();
        },
      };
      const mb = (w.appendsPerRun * w.payloadBytes) / 1e6;
      return {
        contenders: [group, single],
        unitsPerRun: w.payloadBytes >= 100_000 ? mb : w.appendsPerRun,
        unit: w.payloadBytes >= 100_000 ? "MB" : "appends",
        finish: async () => {
          await Deno.remove(root, { recursive: true });
          return {
            writers,
            payloadBytes: w.payloadBytes,
            appendsPerRun: w.appendsPerRun,
            megabytesPerRun: mb,
            fsyncsPerAppendGroupCommit: per.group.fsyncs / per.group.appends,
            fsyncsPerAppendPeer: per.single.fsyncs / per.single.appends,
          };
        },
      };
    },
  };
}

/** The six WAL benchmarks: {tiny, 500kb} x {1, 16, 64} writers, in `bench/main.ts` order. */
export const walAppendBenches: readonly Benchmark[] = workloads.flatMap((w) =>
  walBenchWriters.map((n) => walAppendBench(w, n))
);
