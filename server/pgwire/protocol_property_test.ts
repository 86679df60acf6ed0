/**
 * Property: random and truncated protocol input (before and after startup) makes the server
 * answer with an error or close that connection; it keeps serving others, and every connection
 * it opened is closed again (nothing leaks).
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { Database } from "../../mod.ts";
import { PgServer } from "./mod.ts";
import { concat, message, RawClient, startupPacket } from "./_raw_client.ts";

const messageTypes = "QPBDESHCXdcfpFx\u0000";

/** A frontend message with a plausible type and a random (often lying) length and body. */
const anyMessage = fc.record({
  type: fc.constantFrom(...messageTypes.split("")),
  body: fc.uint8Array({ maxLength: 64 }),
  lie: fc.option(fc.integer({ min: -8, max: 1 << 20 }), { nil: null }),
}).map(({ type, body, lie }) => {
  const m = message(type, (w) => w.bytes(body));
  if (lie !== null) new DataView(m.buffer).setInt32(1, lie);
  return m;
});

const input = fc.record({
  started: fc.boolean(),
  messages: fc.array(fc.oneof(anyMessage, fc.uint8Array({ maxLength: 32 })), { maxLength: 6 }),
  cut: fc.nat(),
});

Deno.test("pgwire property: random and truncated messages get an error or a close; others keep working", async () => {
  const db = await Database.open({ memory: true });
  const server = await PgServer.listen({ db, host: "127.0.0.1", port: 0, startupTimeoutMs: 500 });
  const witness = await RawClient.connect(server.port);
  try {
    await fc.assert(
      fc.asyncProperty(input, async ({ started, messages, cut }) => {
        const c = started
          ? await RawClient.connect(server.port)
          : await RawClient.open(server.port);
        const bytes = concat(
          ...(started ? [] : [startupPacket({ user: "omendb" })]),
          ...messages,
        );
        // send a prefix (truncated input), then hang up
        await c.send(bytes.subarray(0, bytes.length === 0 ? 0 : cut % (bytes.length + 1)))
          .catch(() => {});
        c.close();
        // the witness connection still gets answers
        await witness.send(message("Q", (w) => w.cstring("SELECT 1")));
        const answer = await witness.untilReady();
        assert.deepEqual(answer.map((m) => m.type), ["T", "D", "C", "Z"]);
      }),
      { numRuns: 150 },
    );
    const end = Date.now() + 5000;
    while (server.connectionCount > 1 && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(server.connectionCount, 1, "only the witness is left open");
  } finally {
    witness.close();
    await server.close({ graceMs: 1000 });
    await db.close();
  }
  assert.equal(server.connectionCount, 0);
});

Deno.test("pgwire: a message over the length limit is a protocol violation (08P01), then close", async () => {
  const db = await Database.open({ memory: true });
  const server = await PgServer.listen({ db, host: "127.0.0.1", port: 0 });
  try {
    const c = await RawClient.connect(server.port);
    const huge = new Uint8Array(5);
    huge[0] = "Q".charCodeAt(0);
    new DataView(huge.buffer).setInt32(1, 0x7fff_fff0);
    await c.send(huge);
    const msgs = await c.untilReady();
    assert.equal(msgs.length, 1);
    assert.equal(msgs[0]!.type, "E");
    const text = new TextDecoder().decode(msgs[0]!.body);
    assert.match(text, /FATAL/);
    assert.match(text, /08P01/);
    assert.match(text, /longer than the limit of 1073741824 bytes/);
    assert.equal(await c.next(), null, "closed");
    c.close();
  } finally {
    await server.close();
    await db.close();
  }
});
