/** Calls a probe every `everyMs` and keeps what it answers, with the seconds since the start; nothing when it throws. */
export class Sampler<T extends object> {
  readonly samples: (T & { atS: number })[] = [];
  private timer?: NodeJS.Timeout;

  start(probe: () => T | Promise<T>, everyMs: number): this {
    const startedAt = Date.now();
    this.timer = setInterval(async () => {
      try {
        const sample = await probe();
        this.samples.push({ atS: Math.round((Date.now() - startedAt) / 1000), ...sample });
      } catch {
        // What it probes is away (a process being replaced, Redis restarting): no sample this time.
      }
    }, everyMs);
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
