import { monotonicFactory } from 'ulid';

const nextUlid = monotonicFactory();

/** Sortable, unique id (ULID): lexicographic order is creation order, even within one millisecond. */
export function newId(): string {
  return nextUlid();
}
