import { describe, expect, it } from "vitest";
import {
  ORDER_FIRST_RECHECK_MS,
  ORDER_MAX_RECHECK_MS,
  ORDER_NOT_SEEN_AFTER_MS,
  waitForUnseenOrder,
} from "../../app/conversions/order-wait";

const T0 = new Date("2026-12-01T10:00:00Z");
const at = (ms: number) => new Date(T0.getTime() + ms);

describe("waitForUnseenOrder", () => {
  it("re-checks after a minute at first, then backs off, never more than an hour apart", () => {
    const steps: number[] = [];
    let now = T0;
    for (let i = 0; i < 40; i++) {
      const decision = waitForUnseenOrder({ waitingSince: T0, now });
      if (decision.action !== "hold") break;
      steps.push(decision.until.getTime() - now.getTime());
      now = decision.until;
    }
    expect(steps[0]).toBe(ORDER_FIRST_RECHECK_MS);
    expect(steps[1]).toBe(ORDER_FIRST_RECHECK_MS);
    expect(steps[2]).toBe(2 * ORDER_FIRST_RECHECK_MS);
    expect(steps[3]).toBe(4 * ORDER_FIRST_RECHECK_MS);
    expect(Math.max(...steps)).toBe(ORDER_MAX_RECHECK_MS);
    for (let i = 1; i < steps.length - 1; i++) expect(steps[i]).toBeGreaterThanOrEqual(steps[i - 1]);
    // Bounded: about 30 looks in a day, not 10 080 in a week.
    expect(steps.length).toBeLessThan(35);
    expect(now.getTime()).toBe(T0.getTime() + ORDER_NOT_SEEN_AFTER_MS);
  });

  it("gives up with a readable detail once the bound has passed", () => {
    const decision = waitForUnseenOrder({ waitingSince: T0, now: at(ORDER_NOT_SEEN_AFTER_MS) });
    expect(decision).toEqual({
      action: "give_up",
      detail: "the order never reached the app within 24 hours of this correction",
    });
    expect(waitForUnseenOrder({ waitingSince: T0, now: at(ORDER_NOT_SEEN_AFTER_MS - 1) }).action).toBe("hold");
  });
});
