// What the fuzzers found, one example per kind of problem: a long run reports each bug once
// with the first input that showed it, instead of stopping at the first or repeating it 500 times.
export class Findings {
  private readonly seen = new Map<string, string>();

  constructor(readonly target: string) {}

  /** Records `detail` under `signature` unless that kind was seen; true if new. */
  add(signature: string, detail: string): boolean {
    if (this.seen.has(signature)) return false;
    this.seen.set(signature, detail);
    return true;
  }

  list(): string[] {
    return [...this.seen.values()];
  }

  report(seedNote: string): void {
    if (this.seen.size) console.error(`${this.target} fuzz findings (${seedNote}):\n- ${this.list().join('\n- ')}`);
  }
}
