/**
 * Bundled in place of `node-fetch` (see scripts/build-sidecar.mjs). The HTTP client library falls
 * back to importing node-fetch only when no fetch implementation is configured; the sidecar always
 * configures Node's own fetch, so this stand-in keeps ~170 KiB of polyfills out of the bundle
 * while staying correct if that fallback is ever reached.
 */
export default globalThis.fetch;
export const { Headers, Request, Response } = globalThis;
