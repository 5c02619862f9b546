import { describe, expect, it } from 'vitest';
import { abortable } from './abortable.js';
import { DatasourceError } from './errors.js';

describe('abortable', () => {
  it('passes through a result or an error', async () => {
    const signal = new AbortController().signal;
    await expect(abortable(Promise.resolve(1), signal, () => {})).resolves.toBe(1);
    await expect(abortable(Promise.reject(new Error('x')), signal, () => {})).rejects.toThrow('x');
  });

  it('rejects with ABORTED when the signal fires and runs the cleanup once', async () => {
    const controller = new AbortController();
    let cleanups = 0;
    let rejectWork: (e: Error) => void = () => {};
    const work = new Promise<number>((_, reject) => (rejectWork = reject));
    const pending = abortable(work, controller.signal, () => cleanups++, {
      hub: 'ns/h',
      type: 'mysql',
    });
    controller.abort(new Error('stop'));
    const err = await pending.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasourceError);
    expect((err as DatasourceError).code).toBe('ABORTED');
    expect((err as DatasourceError).hub).toBe('ns/h');
    expect(cleanups).toBe(1);
    rejectWork(new Error('connection destroyed')); // must not become an unhandled rejection
  });

  it('rejects at once for an already aborted signal', async () => {
    const controller = new AbortController();
    controller.abort();
    let cleanups = 0;
    const err = await abortable(
      Promise.reject(new Error('late')),
      controller.signal,
      () => cleanups++,
    ).catch((e: unknown) => e);
    expect((err as DatasourceError).code).toBe('ABORTED');
    expect(cleanups).toBe(1);
  });
});
