import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { BusyPoll } from "./busy_poll.ts";

Deno.test("busy poll: a poke polls for its window, then stops by itself", async () => {
  const poll = new BusyPoll(2_000); // 2 ms
  assert.equal(poll.polling, false);
  poll.poke();
  assert.equal(poll.polling, true);
  await sleep(1);
  assert.equal(poll.polling, true, "still inside the window");
  await sleep(30);
  assert.equal(poll.polling, false, "the window has passed");
  assert.ok(poll.turns > 1, `it polled over several turns of the event loop (${poll.turns})`);
});

Deno.test("busy poll: other tasks run while it polls", async () => {
  const poll = new BusyPoll(50_000); // 50 ms
  poll.poke();
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  await sleep(20);
  clearInterval(timer);
  assert.ok(ticks >= 3, `timers fired while polling (${ticks})`);
  assert.equal(poll.polling, true);
  poll.stop();
  assert.equal(poll.polling, false);
});

Deno.test("busy poll: a window of 0 never polls", () => {
  const poll = new BusyPoll(0);
  poll.poke();
  assert.equal(poll.polling, false);
  assert.equal(poll.turns, 0);
});
