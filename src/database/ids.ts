import { v7 } from 'uuid';

/** Time-ordered UUIDv7: newest-first keyset pagination can order by id alone. */
export const newId = (): string => v7();
