/** A value that cannot be converted, with the field path where it sits (e.g. "clusters[0].connect_timeout"). */
export class CodecError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(path ? `${path}: ${reason}` : reason);
    this.name = 'CodecError';
  }
}
