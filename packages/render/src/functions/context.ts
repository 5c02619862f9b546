// The CallContext of one render: created per render, from the caller's own options only (an
// option inherited from a polluted Object.prototype is ignored). Templates never see it, and its
// class's prototype is frozen.
import { randomInt } from 'node:crypto';
import type { RenderBudget } from '../budget.js';
import type { CallContext } from './types.js';

/** The options a CallContext is made from. */
export interface CallContextOptions {
  clock?: () => Date | number;
  random?: () => number;
}

/** A uniformly random number in [0, 1) from the OS's cryptographic source (48 bits). */
export function cryptoRandom(): number {
  return randomInt(2 ** 47) / 2 ** 47;
}

/** `options[key]` when options has it as its own property. */
export function ownOption<T extends object, K extends keyof T>(
  options: T | undefined,
  key: K,
): T[K] | undefined {
  return options !== undefined && options !== null && Object.hasOwn(options, key)
    ? options[key]
    : undefined;
}

function checkFunction(name: string, v: unknown): void {
  if (v !== undefined && typeof v !== 'function')
    throw new TypeError(`render option ${name} must be a function, got ${typeof v}`);
}

class RenderCallContext implements CallContext {
  constructor(
    private readonly clock: (() => Date | number) | undefined,
    private readonly source: (() => number) | undefined,
    readonly budget: RenderBudget,
  ) {}
  now(): number {
    const clock = this.clock;
    return clock ? Number(clock()) : Date.now();
  }
  random(): number {
    const source = this.source;
    return source ? source() : cryptoRandom();
  }
}
Object.freeze(RenderCallContext.prototype);

export function createCallContext(
  options: CallContextOptions | undefined,
  budget: RenderBudget,
): CallContext {
  const clock = ownOption(options, 'clock');
  const random = ownOption(options, 'random');
  checkFunction('clock', clock);
  checkFunction('random', random);
  return new RenderCallContext(clock, random, budget);
}
