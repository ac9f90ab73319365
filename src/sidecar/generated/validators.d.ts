/** Types of validators.js, which scripts/build-sidecar.mjs generates (schemas/generate-validators.ts). */
import type { ValidationIssue } from '../errors';

export type GeneratedValidator = ( ( data: unknown ) => boolean ) & {
	errors?: ValidationIssue[] | null;
};

/** By `"<METHOD> <url> <part>"`: the schema's SHA-256 (JSON) and its compiled validator. */
declare const validators: Readonly<
	Record< string, { schemaSha256: string; validate: GeneratedValidator } >
>;
export default validators;
