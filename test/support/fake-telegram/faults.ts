/**
 * What an injected fault does to one call. `applied: true` lets the call take effect first (the message is
 * sent) and only then fails the response — the "a send may have gone through anyway" case.
 */
export type Fault =
  | { status: 429; retryAfter: number; applied?: boolean }
  | { status: number; description?: string; html?: boolean; applied?: boolean }
  | { reset: true; applied?: boolean }
  | { delayMs: number };

interface Armed {
  method: string;
  fault: Fault;
  remaining: number;
  until?: number;
}

/**
 * Faults armed by a test, matched by method name (case-insensitive; `'*'` matches every method) in the order
 * they were armed.
 *
 * @example
 * faults.failNext('sendMessage', 2, { status: 500 });
 * faults.failFor('getUpdates', 3_000, { status: 502 }, now());
 */
export class FaultPlan {
  private readonly armed: Armed[] = [];

  constructor(private readonly now: () => number) {}

  failNext(method: string, count: number, fault: Fault): void {
    this.armed.push({ method: method.toLowerCase(), fault, remaining: count });
  }

  failFor(method: string, durationMs: number, fault: Fault): void {
    this.armed.push({
      method: method.toLowerCase(),
      fault,
      remaining: Number.POSITIVE_INFINITY,
      until: this.now() + durationMs,
    });
  }

  clear(): void {
    this.armed.length = 0;
  }

  /** The fault for this call, if any, consuming one use of it. */
  take(method: string): Fault | undefined {
    const name = method.toLowerCase();
    const t = this.now();
    for (let i = 0; i < this.armed.length; i++) {
      const a = this.armed[i]!;
      if (a.until !== undefined && t >= a.until) {
        this.armed.splice(i--, 1);
        continue;
      }
      if (a.method !== '*' && a.method !== name) continue;
      a.remaining--;
      if (a.remaining <= 0) this.armed.splice(i, 1);
      return a.fault;
    }
    return undefined;
  }
}
