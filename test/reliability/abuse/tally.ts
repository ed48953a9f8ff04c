/** What a scenario sent and saw: requests, statuses, 5xx answers and writes where none were allowed. */
export class Tally {
  private requests = 0;
  private readonly statuses = new Map<number, number>();
  private unexpectedWrites = 0;

  constructor(private readonly scenario: string) {}

  /** Counts one answer; `wrote` says whether it changed rows it must not have changed. */
  count(status: number, wrote = false): void {
    this.requests++;
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
    if (wrote) this.unexpectedWrites++;
  }

  /** Counts tables changed by a batch of requests watched together. */
  wrote(tables: number): void {
    this.unexpectedWrites += tables;
  }

  /** One tally of everything `tallies` counted, for a spec's summary line. */
  static total(scenario: string, tallies: Tally[]): Tally {
    const total = new Tally(scenario);
    for (const tally of tallies) {
      total.requests += tally.requests;
      total.unexpectedWrites += tally.unexpectedWrites;
      for (const [status, n] of tally.statuses)
        total.statuses.set(status, (total.statuses.get(status) ?? 0) + n);
    }
    return total;
  }

  get serverErrors(): number {
    return [...this.statuses].filter(([status]) => status >= 500).reduce((sum, [, n]) => sum + n, 0);
  }

  /** One line for the docs: `scenario: N requests, statuses 400×12 404×3, 5xx 0, rows changed 0`. */
  summary(): string {
    const statuses = [...this.statuses]
      .sort(([a], [b]) => a - b)
      .map(([status, n]) => `${status}×${n}`)
      .join(' ');
    return `${this.scenario}: ${this.requests} requests, statuses ${statuses || 'none'}, 5xx ${this.serverErrors}, rows changed ${this.unexpectedWrites}`;
  }
}

/** Prints the spec's one-line summary, then each scenario's line under it (jest shows process output as it comes). */
export function printTallies(spec: string, tallies: Tally[]): void {
  const lines = [
    `[abuse] ${Tally.total(spec, tallies).summary()}`,
    ...tallies.map((tally) => `  ${tally.summary()}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
