/*
 * Bundled in place of fastify's default schema compilers (`@fastify/ajv-compiler`,
 * `@fastify/fast-json-stringify-compiler`): the sidecar gives fastify validators generated at
 * build time and a plain JSON serializer (src/sidecar/plugins/validation.ts), so these are never
 * called, and leaving ajv's compiler and fast-json-stringify out of the bundle keeps the cold
 * start short. See scripts/build-sidecar.mjs.
 */
module.exports = function unusedCompiler() {
	throw new Error(
		'The sidecar bundle has no default schema compiler: pass schemaController.compilersFactory.'
	);
};
