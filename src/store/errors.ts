// Why the store refused something. The admin API maps these to HTTP statuses by class.

/** The submitted change itself is malformed (bad key, duplicate document in one apply). */
export class StoreInputError extends Error {
  override name = 'StoreInputError';
}

/** Asked for a revision that does not exist or has been compacted away. */
export class RevisionNotFoundError extends Error {
  override name = 'RevisionNotFoundError';
  constructor(
    readonly revision: number,
    readonly oldestRetained: number,
    readonly current: number,
  ) {
    super(`revision ${revision} is not available (history holds revisions ${oldestRetained}..${current})`);
  }
}

/**
 * The files on disk do not describe a consistent history (a damaged entry followed by later
 * ones, a gap in the numbering, an unknown format). The store refuses to open rather than serve
 * a state that may have lost acknowledged changes.
 */
export class StoreCorruptError extends Error {
  override name = 'StoreCorruptError';
  constructor(
    message: string,
    readonly file?: string,
  ) {
    super(file ? `${message} (${file})` : message);
  }
}

/** Another live process (or another store object in this process) holds the directory. */
export class StoreLockedError extends Error {
  override name = 'StoreLockedError';
}

/** The store was closed, or stopped accepting writes after a failed flush to disk. */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
}
