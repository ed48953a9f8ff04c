import { describe, expect, it } from '@jest/globals';
import { Slots } from './slots.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

function deferred() {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('Slots', () => {
  it('runs at most `size` at once and the rest in the order they came', async () => {
    const sut = new Slots(2);
    const gates = [deferred(), deferred(), deferred(), deferred()];
    const started: number[] = [];
    const runs = gates.map((gate, i) =>
      sut.run(async () => {
        started.push(i);
        await gate.promise;
        return i;
      }),
    );
    await tick();
    expect(started).toEqual([0, 1]);

    gates[1].resolve();
    await tick();
    expect(started).toEqual([0, 1, 2]);

    gates[0].resolve();
    gates[2].resolve();
    gates[3].resolve();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3]);
    expect(started).toEqual([0, 1, 2, 3]);
  });

  it('frees the slot of a run that failed', async () => {
    const sut = new Slots(1);
    await expect(sut.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(sut.run(() => Promise.resolve('next'))).resolves.toBe('next');
  });

  it('lets a newcomer in at once when nobody waits', async () => {
    const sut = new Slots(1);
    await sut.run(() => Promise.resolve());
    const started: string[] = [];
    const gate = deferred();
    const first = sut.run(async () => {
      started.push('first');
      await gate.promise;
    });
    await tick();
    expect(started).toEqual(['first']);
    gate.resolve();
    await first;
  });
});
