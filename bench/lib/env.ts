/**
 * Points the harness test kit at the benchmark's own WordPress instance. Imported first by every
 * module that uses the test kit (which reads MFK_TEST_INSTANCE when it loads), so the `test` and
 * `dev` instances other people use are never touched.
 */
export const BENCH_INSTANCE = 'bench';
process.env.MFK_TEST_INSTANCE = BENCH_INSTANCE;
process.env.MFK_HARNESS_QUIET ??= '1';
