import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { BusyPoll } from "./busy_poll.ts";

Deno.test("busy poll: a poke polls for its window, then stops by itself", async () => {
  // a window far longer than a turn of the event loop, so that a loaded machine cannot end it
  // before the first check
  const poll = new BusyPoll(300_000); // 300 ms
  assert.equal(poll.polling, false);
  poll.poke();
  assert.equal(poll.polling, true);
  await sleep(5);
  assert.equal(poll.polling, true, "still inside the window");
  const until = performance.now() + 5_000;
  while (poll.polling && performance.now() < until) await sleep(50);
  assert.equal(poll.polling, false, "the window has passed and it stopped by itself");
  assert.ok(poll.turns > 1, `it polled over several turns of the event loop (${poll.turns})`);
});

Deno.test("busy poll: other tasks run while it polls", async () => {
  const poll = new BusyPoll(5_000_000); // 5 s: stopped below, long before
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
