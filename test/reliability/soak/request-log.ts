/**
 * Every request the soak sent: its kind, status and latency, and when it was sent relative to the Redis
 * outage. A 503 is allowed only while Redis is away (from the kill until the api answers ready again); any
 * other 5xx, any 503 outside that window and any answer a step did not expect are kept, one line each.
 */

/** A status, or `dropped` when no answer came (connection refused or reset, or no answer within the timeout). */
export type Outcome = number | 'dropped';

export interface KindFigures {
  requests: number;
  byStatus: Record<string, number>;
  p50Ms: number;
  p99Ms: number;
}

export interface RequestFigures {
  requests: number;
  byStatus: Record<string, number>;
  byKind: Record<string, KindFigures>;
  p50Ms: number;
  p99Ms: number;
  /** 503s answered while Redis was away: allowed, and retried. */
  unavailableInOutage: number;
  /** 503s at any other time, and every other 5xx: none allowed. */
  serverErrors: number;
  dropped: number;
  replays: { sent: number; matched: number };
  unexpected: string[];
}

/** The value below which `share` of the sorted values lie (nearest rank). */
export function percentile(sorted: number[], share: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)];
}

const MAX_UNEXPECTED = 200;

export class RequestLog {
  private readonly latencies = new Map<string, number[]>();
  private readonly statuses = new Map<string, Map<string, number>>();
  private readonly unexpected: string[] = [];
  private outage: { from: number; to: number } | null = null;
  private unavailableInOutage = 0;
  private serverErrors = 0;
  private readonly replays = { sent: 0, matched: 0 };

  outageStarted(at = Date.now()): void {
    this.outage = { from: at, to: Infinity };
  }

  outageEnded(at = Date.now()): void {
    if (this.outage) this.outage.to = at;
  }

  /** Counts one answer (sent at `sentAt`), and keeps it as unexpected when it is a server error out of place. */
  record(kind: string, outcome: Outcome, sentAt: number, ms: number): void {
    const byStatus = this.statuses.get(kind) ?? new Map<string, number>();
    this.statuses.set(kind, byStatus);
    byStatus.set(String(outcome), (byStatus.get(String(outcome)) ?? 0) + 1);
    if (outcome === 'dropped') return this.keep(`${kind}: no answer at ${new Date(sentAt).toISOString()}`);
    const latencies = this.latencies.get(kind) ?? [];
    this.latencies.set(kind, latencies);
    latencies.push(ms);
    if (outcome === 503 && this.inOutage(sentAt)) this.unavailableInOutage++;
    else if (outcome >= 500) {
      this.serverErrors++;
      this.keep(`${kind}: ${outcome} at ${new Date(sentAt).toISOString()}`);
    }
  }

  /** A retry sent to prove a replay, and whether it answered the first answer again. */
  replay(kind: string, matched: boolean, detail: string): void {
    this.replays.sent++;
    if (matched) this.replays.matched++;
    else this.keep(`${kind}: a retry with the same Idempotency-Key did not replay: ${detail}`);
  }

  keep(line: string): void {
    if (this.unexpected.length < MAX_UNEXPECTED) this.unexpected.push(line);
  }

  figures(): RequestFigures {
    const byKind: Record<string, KindFigures> = {};
    const total = new Map<string, number>();
    for (const [kind, byStatus] of this.statuses) {
      const sorted = [...(this.latencies.get(kind) ?? [])].sort((a, b) => a - b);
      byKind[kind] = {
        requests: [...byStatus.values()].reduce((sum, n) => sum + n, 0),
        byStatus: Object.fromEntries(byStatus),
        p50Ms: round(percentile(sorted, 0.5)),
        p99Ms: round(percentile(sorted, 0.99)),
      };
      for (const [status, n] of byStatus) total.set(status, (total.get(status) ?? 0) + n);
    }
    const all = [...this.latencies.values()].flat().sort((a, b) => a - b);
    return {
      requests: [...total.values()].reduce((sum, n) => sum + n, 0),
      byStatus: Object.fromEntries(total),
      byKind,
      p50Ms: round(percentile(all, 0.5)),
      p99Ms: round(percentile(all, 0.99)),
      unavailableInOutage: this.unavailableInOutage,
      serverErrors: this.serverErrors,
      dropped: total.get('dropped') ?? 0,
      replays: { ...this.replays },
      unexpected: [...this.unexpected],
    };
  }

  private inOutage(at: number): boolean {
    return this.outage !== null && at >= this.outage.from && at <= this.outage.to;
  }
}

const round = (ms: number) => Math.round(ms * 10) / 10;
