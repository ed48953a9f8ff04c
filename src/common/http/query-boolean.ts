import { Transform } from 'class-transformer';

/** A query-string flag: 'true' and 'false' become booleans; anything else is left for @IsBoolean to refuse. */
export const QueryBoolean = () =>
  Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value));
