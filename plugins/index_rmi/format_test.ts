import assert from "node:assert/strict";
import fc from "fast-check";
import { DbError, SqlState } from "../../core/errors.ts";
import { crc32c } from "../wal/crc32c.ts";
import { generateTimestamps } from "../../tests/data/timestamps.ts";
import { buildRmi, decodeRmi, encodeRmi, rmiEncodedBytes, RmiIndex, type RmiModel } from "./mod.ts";

function isCorrupted(e: unknown): boolean {
  return e instanceof DbError && e.code === SqlState.dataCorrupted &&
    e.message.startsWith("Cannot load RMI index: ");
}

/** Rewrites the trailing CRC32C so that only the structural checks can reject `bytes`. */
function fixCrc(bytes: Uint8Array): Uint8Array {
  const at = bytes.length - 4;
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(at, crc32c(bytes.subarray(0, at)), true);
  return bytes;
}

const small = buildRmi(generateTimestamps({ count: 3000, seed: 9, burstChance: 0.01 }), {
  leafCount: 5,
});

Deno.test("format: header layout, length and byte-identical round trip", () => {
  for (const count of [0, 1, 2, 1000, 50_000]) {
    const keys = generateTimestamps({ count, seed: count });
    const rmi = buildRmi(keys);
    const bytes = rmi.serialize();
    assert.equal(new TextDecoder().decode(bytes.subarray(0, 7)), "OMENRMI");
    assert.equal(bytes[7], 1);
    assert.equal(bytes.length, rmiEncodedBytes(rmi.leafCount));
    const loaded = RmiIndex.deserialize(bytes);
    assert.deepEqual(loaded.model, rmi.model);
    assert.deepEqual(loaded.serialize(), bytes);
    // a view into a larger buffer at an odd offset reads the same
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    assert.deepEqual(decodeRmi(shifted.subarray(3)), rmi.model);
  }
});

Deno.test("format: every flipped byte, truncation and extension is data corrupted", () => {
  const bytes = small.serialize();
  for (let i = 0; i < bytes.length; i++) {
    for (const mask of [0x01, 0x80, 0xff]) {
      const bad = bytes.slice();
      bad[i]! ^= mask;
      assert.throws(() => decodeRmi(bad), isCorrupted, `byte ${i} ^ ${mask}`);
    }
  }
  for (let len = 0; len < bytes.length; len++) {
    assert.throws(() => decodeRmi(bytes.subarray(0, len)), isCorrupted, `truncated to ${len}`);
  }
  const longer = new Uint8Array(bytes.length + 1);
  longer.set(bytes);
  assert.throws(() => decodeRmi(longer), isCorrupted);
});

Deno.test("format: wrong magic and version name the problem", () => {
  const bytes = small.serialize();
  const magic = bytes.slice();
  magic.set(new TextEncoder().encode("OMENWAL"), 0);
  assert.throws(() => decodeRmi(magic), /bad magic bytes/);
  const version = bytes.slice();
  version[7] = 2;
  assert.throws(() => decodeRmi(version), /format version 2/);
});

Deno.test("format: parameters that pass the checksum but break the model are rejected", () => {
  const model = small.model;
  const rejects = (what: string, re: RegExp, changed: Partial<RmiModel>) => {
    const bytes = encodeRmi({ ...model, ...changed });
    assert.throws(() => decodeRmi(bytes), (e) => isCorrupted(e) && re.test(String(e)), what);
  };
  const models = (at: number, v: number) => ({ leafModels: model.leafModels.with(at, v) });
  const bounds = (at: number, v: number) => ({ leafBounds: model.leafBounds.with(at, v) });
  rejects("NaN slope", /leaf 0 model/, models(0, NaN));
  rejects("negative slope", /leaf 1 model/, models(3, -1));
  rejects("origin below the key range", /leaf 0 model/, models(1, -1));
  rejects("infinite position", /leaf 2 model/, models(8, Infinity));
  rejects("first leaf not at 0", /does not follow/, bounds(0, 1));
  rejects("gap between leaves", /does not follow/, bounds(1, model.leafBounds[1]! + 1));
  rejects("errLo above errHi", /error bounds/, bounds(2, model.leafBounds[3]! + 1));
  rejects("errHi beyond the leaf", /error bounds/, bounds(3, 1 << 30));
  rejects("leaf ends before its start", /does not follow/, bounds(4 * 4 + 1, 0));
  rejects("key count mismatch", /leaves cover/, { keyCount: model.keyCount + 1 });
  rejects("unordered key range", /key range/, { keyMin: model.keyMax + 1 });
  rejects("stage 1 NaN", /stage-1/, { rootIntercept: NaN });
  rejects("stage 1 decreasing", /stage-1/, { rootSlope: -1 });
});

Deno.test("format: any checksummed mutation loads as corrupt or stays in range", () => {
  const keys = generateTimestamps({ count: 3000, seed: 9, burstChance: 0.01 });
  const bytes = small.serialize();
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat(bytes.length - 5), fc.integer({ min: 0, max: 255 })), {
        minLength: 1,
        maxLength: 4,
      }),
      fc.array(fc.double({ noNaN: true }), { maxLength: 20 }),
      (edits, queries) => {
        const bad = bytes.slice();
        for (const [at, v] of edits) bad[at] = v;
        let index: RmiIndex;
        try {
          index = RmiIndex.deserialize(fixCrc(bad));
        } catch (e) {
          assert.ok(isCorrupted(e), String(e));
          return;
        }
        if (index.keyCount !== keys.length) return;
        for (const q of queries) {
          const { start, end } = index.lookupRange(q, q);
          assert.ok(0 <= start && start <= end && end <= keys.length);
          const lb = index.lowerBound(keys, q);
          assert.ok(0 <= lb && lb <= keys.length);
        }
      },
    ),
    { numRuns: 500 },
  );
});
