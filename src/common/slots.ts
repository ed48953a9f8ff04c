/**
 * At most `size` tasks at once, the rest waiting their turn in order: the PDF worker's prints (it takes more
 * jobs than it has pages, so one job loads or records while another prints) and the webhook worker's
 * requests (shared by the jobs in progress).
 */
export class Slots {
  private busy = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly size: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    await this.take();
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  private take(): Promise<void> {
    if (this.busy < this.size) {
      this.busy++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  // The slot passes straight to the next in line, so a newcomer cannot overtake it.
  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.busy--;
  }
}
