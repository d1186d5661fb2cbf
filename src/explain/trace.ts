// Collects the human-readable walk and the assumptions explain had to make along the way.

export class Trace {
  readonly steps: string[] = [];
  readonly assumptions: string[] = [];

  step(line: string): void {
    this.steps.push(line);
  }

  /** Something Envoy would know at run time and explain cannot: record what was assumed. */
  assume(line: string): void {
    if (!this.assumptions.includes(line)) this.assumptions.push(line);
  }
}
