/**
 * Runs `work` one run at a time, on every kick and every `pollMs` once started. A kick while a run is in
 * progress asks for exactly one more run after it, however many kicks arrive: what dispatchers need when
 * notifications and polls overlap.
 */
export class CoalescingRunner {
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly work: () => Promise<unknown>,
    private readonly pollMs: number,
    private readonly onError: (error: Error) => void,
  ) {}

  /** Runs now, then polls. */
  start(): void {
    this.timer = setInterval(() => this.kick(), this.pollMs);
    this.kick();
  }

  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.work()
      .then(() => undefined)
      .catch(this.onError)
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** No more runs; resolves when the one in progress ends. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }
}
