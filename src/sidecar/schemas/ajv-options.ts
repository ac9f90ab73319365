/**
 * How ajv compiles the request schemas, at build time (schemas/generate-validators.ts). What the
 * options mean for callers is the API's contract (docs/sidecar-api.md, "Conventions").
 */
export const AJV_OPTIONS = {
	// Types are strict: "42" is not an integer.
	coerceTypes: false,
	useDefaults: false,
	// Unknown fields are ignored, and left as they are.
	removeAdditional: false,
	// Every problem of a request at once, so a caller fixes them in one pass. Only requests that
	// passed the signature check are validated, and bodies are bounded (MFK_MAX_BODY_BYTES), so
	// this cannot be used to make the sidecar work for a stranger.
	allErrors: true,
	// Optional fields are `[type, 'null']` (PHP's json_encode writes nulls).
	allowUnionTypes: true,
	// A keyword ajv does not know, or one that cannot apply, fails the build instead of being
	// ignored: a schema is never silently half-checked.
	strict: true,
	code: { source: true, optimize: true },
} as const;
