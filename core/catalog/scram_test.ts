import assert from "node:assert/strict";
import {
  checkPassword,
  createVerifier,
  deriveVerifier,
  formatVerifier,
  isVerifier,
  parseVerifier,
  saslPrep,
  timingSafeEqual,
} from "./scram.ts";

// Made by PostgreSQL 15.18: SET password_encryption = 'scram-sha-256';
// CREATE ROLE x PASSWORD '...'; SELECT rolpassword FROM pg_authid WHERE rolname = 'x'
const postgresVectors = [
  {
    password: "pencil",
    verifier:
      "SCRAM-SHA-256$4096:2+P2Q9FEFknOmykkGcjzVg==$kW30/DRUhdcXjphjDK1HZ6YCPAQT6wtu339G3Dp6Svc=:gSIukXwuwss+OnzVLgA8tK1PxcmFrsidmUqf9Hj1qvs=",
  },
  {
    password: "pä ss:wörd",
    verifier:
      "SCRAM-SHA-256$4096:Fg6h/akzZ3hUggPdF3N80A==$mHxQwCOAOgHUJhRiTXOiqyjuwfTWnleuVGsRCqTNR7k=:SnnwfmCABrTv7rDYRBVTuyT6QUsfbYdjSKCWHBOv29Q=",
  },
];

Deno.test("scram: recomputing PostgreSQL 15's verifiers from the password gives the same keys", async () => {
  for (const { password, verifier } of postgresVectors) {
    const parsed = parseVerifier(verifier)!;
    assert(parsed !== null);
    const again = await deriveVerifier(password, parsed);
    assert.deepEqual(formatVerifier(again), verifier);
    assert(await checkPassword(verifier, password));
    assert(!(await checkPassword(verifier, `${password}x`)));
  }
});

Deno.test("scram: new verifiers use 4096 iterations and a fresh 16-byte salt", async () => {
  const a = await createVerifier("pw");
  const b = await createVerifier("pw");
  assert(a !== b);
  assert.deepEqual(parseVerifier(a)!.iterations, 4096);
  assert.deepEqual(parseVerifier(a)!.salt.length, 16);
  assert(await checkPassword(b, "pw"));
  assert(await checkPassword(await createVerifier("pw", { iterations: 2 }), "pw"));
});

Deno.test("scram: malformed verifiers are refused and match nothing", async () => {
  for (
    const bad of [
      "",
      "md5abc",
      "SCRAM-SHA-256$0:AAAA$" + "A".repeat(44) + ":" + "A".repeat(44),
      "SCRAM-SHA-256$4096:AAAA$AAAA:AAAA",
      "SCRAM-SHA-256$4096:!!$x:y",
    ]
  ) {
    assert(!isVerifier(bad), bad);
    assert(!(await checkPassword(bad, "")));
  }
});

Deno.test("scram: SASLprep and constant-time compare", () => {
  assert.deepEqual(saslPrep("plain ascii"), "plain ascii");
  assert.deepEqual(saslPrep("a\u00a0b\u00adc"), "a bc");
  assert.deepEqual(saslPrep("\u2168"), "IX"); // NFKC
  assert(timingSafeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2])));
  assert(!timingSafeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3])));
  assert(!timingSafeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2, 0])));
  assert(!timingSafeEqual(new Uint8Array([]), new Uint8Array([0])));
});
