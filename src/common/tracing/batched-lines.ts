/**
 * Lines for stdout or stderr, written together once per turn of the event loop. stdout is usually a pipe,
 * which Node writes synchronously, one syscall a line: under load the access log alone cost several percent of
 * a request's CPU. A line waits at most for the current turn to end, and whatever waits is written at exit.
 */
export class BatchedLines {
  private pending: string[] = [];

  constructor(private readonly stream: Pick<NodeJS.WritableStream, 'write'>) {
    process.once('exit', () => this.flush());
  }

  write(line: string): void {
    if (this.pending.push(line) === 1) setImmediate(() => this.flush());
  }

  flush(): void {
    if (this.pending.length === 0) return;
    const text = this.pending.join('');
    this.pending = [];
    this.stream.write(text);
  }
}
