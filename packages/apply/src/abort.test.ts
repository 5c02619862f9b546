import { describe, expect, it } from 'vitest';
import { SharedFill, throwIfAborted } from './abort.js';
import { AbortedError } from './errors.js';

/** A fill whose work ends when the test says, and which records whether it was cancelled. */
function controllable() {
  let finish!: (value: string) => void;
  let workSignal!: AbortSignal;
  const fill = new SharedFill<string>(
    (signal) =>
      new Promise<string>((resolve, reject) => {
        workSignal = signal;
        finish = resolve;
        signal.addEventListener('abort', () => reject(new Error('work cancelled')), { once: true });
      }),
  );
  return { fill, finish: (v: string) => finish(v), workSignal: () => workSignal };
}

const site = { method: 'GET', path: '/api/v1' };

describe('throwIfAborted', () => {
  it('throws an AbortedError with the reason, and nothing for a live or missing signal', () => {
    const reason = new Error('lease lost');
    expect(() => throwIfAborted(AbortSignal.abort(reason), site)).toThrow(AbortedError);
    expect(() => throwIfAborted(AbortSignal.abort(reason), site)).toThrow(
      'GET /api/v1: aborted: lease lost',
    );
    expect(() => throwIfAborted(new AbortController().signal, site)).not.toThrow();
    expect(() => throwIfAborted(undefined, site)).not.toThrow();
  });
});

describe('SharedFill', () => {
  it('keeps running for the others when one caller aborts', async () => {
    const { fill, finish, workSignal } = controllable();
    const a = new AbortController();
    const b = new AbortController();
    const first = fill.join(a.signal, site);
    const second = fill.join(b.signal, site);
    a.abort(new Error('a gave up'));
    await expect(first).rejects.toBeInstanceOf(AbortedError);
    expect(workSignal().aborted).toBe(false);
    expect(fill.spent).toBe(false);
    finish('document');
    await expect(second).resolves.toBe('document');
    expect(fill.settled).toEqual({ ok: true, value: 'document' });
  });

  it('cancels the work once every caller aborted', async () => {
    const { fill, workSignal } = controllable();
    const a = new AbortController();
    const b = new AbortController();
    const first = fill.join(a.signal, site);
    const second = fill.join(b.signal, site);
    a.abort(new Error('a'));
    b.abort(new Error('b'));
    await expect(first).rejects.toBeInstanceOf(AbortedError);
    await expect(second).rejects.toThrow('GET /api/v1: aborted: b');
    expect(workSignal().aborted).toBe(true);
    expect(fill.spent).toBe(true);
  });

  it('never cancels the work while a caller without a signal waits', async () => {
    const { fill, finish, workSignal } = controllable();
    const a = new AbortController();
    const patient = fill.join(undefined, site);
    const impatient = fill.join(a.signal, site);
    a.abort(new Error('a'));
    await expect(impatient).rejects.toBeInstanceOf(AbortedError);
    expect(workSignal().aborted).toBe(false);
    finish('done');
    await expect(patient).resolves.toBe('done');
  });

  it('counts a caller once even when it aborts after the fill settled', async () => {
    const { fill, finish, workSignal } = controllable();
    const a = new AbortController();
    const b = new AbortController();
    const first = fill.join(a.signal, site);
    finish('done');
    await expect(first).resolves.toBe('done');
    a.abort(new Error('late'));
    const second = fill.join(b.signal, site);
    await expect(second).resolves.toBe('done');
    expect(workSignal().aborted).toBe(false);
  });

  it('rejects a caller whose signal already fired, without joining', async () => {
    const { fill, workSignal } = controllable();
    await expect(fill.join(AbortSignal.abort(new Error('x')), site)).rejects.toBeInstanceOf(
      AbortedError,
    );
    // Nobody joined, so nothing is cancelled: a later caller may still use the fill.
    expect(workSignal().aborted).toBe(false);
  });

  it('passes the work’s own failure to every caller', async () => {
    const fill = new SharedFill<string>(() => Promise.reject(new Error('503')));
    await expect(fill.join(new AbortController().signal, site)).rejects.toThrow('503');
    await expect(fill.join(undefined, site)).rejects.toThrow('503');
    expect(fill.settled?.ok).toBe(false);
    expect(fill.spent).toBe(true);
  });
});
