/*
 * Bundled in place of fastify's default schema compilers (`@fastify/ajv-compiler`,
 * `@fastify/fast-json-stringify-compiler`): the sidecar gives fastify its own validator and
 * serializer (src/sidecar/validator.ts), so these are never called, and leaving ajv and
 * fast-json-stringify out of the bundle shortens the cold start. See scripts/build-sidecar.mjs.
 */
module.exports = function unusedCompiler() {
	throw new Error(
		'The sidecar bundle has no default schema compiler: pass schemaController.compilersFactory.'
	);
};
