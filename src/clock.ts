/** Time is injected so SLA, calendar and range logic can be tested at any instant. */
export type Clock = { now(): Date };

export const systemClock: Clock = { now: () => new Date() };

export function fixedClock(at: Date | string): Clock & { set(at: Date | string): void; advance(ms: number): void } {
  let current = new Date(at);
  return {
    now: () => new Date(current),
    set: (to) => {
      current = new Date(to);
    },
    advance: (ms) => {
      current = new Date(current.getTime() + ms);
    },
  };
}

/**
 * A clock that starts at a given instant and then runs with real time: retries and leases fall due
 * as they would, while tests still choose the date. `advance` and `set` move it as a fixed clock's do.
 */
export function runningClock(at: Date | string): Clock & { set(at: Date | string): void; advance(ms: number): void } {
  let offset = new Date(at).getTime() - Date.now();
  return {
    now: () => new Date(Date.now() + offset),
    set: (to) => {
      offset = new Date(to).getTime() - Date.now();
    },
    advance: (ms) => {
      offset += ms;
    },
  };
}
