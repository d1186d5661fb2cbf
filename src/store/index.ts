// The durable document store (see document-store.ts).
export { DocumentStore, DEFAULT_HISTORY_LIMIT } from './document-store';
export { RevisionNotFoundError, StoreCorruptError, StoreInputError, StoreLockedError, StoreUnavailableError } from './errors';
export { storedDocumentOf, inputDocumentOf } from './input-documents';
export type * from './types';
