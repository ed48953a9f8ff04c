import { ValidateIf } from 'class-validator';

/** The field may be left out, but not sent as null (unlike @IsOptional, which lets null through). */
export const IsOmittable = () => ValidateIf((_object, value) => value !== undefined);
