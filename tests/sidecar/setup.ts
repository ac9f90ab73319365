/**
 * These tests wait for what the sidecar does within its own budgets (retries, pacing, batches
 * of up to 30 s); on a loaded machine that takes longer, never forever. The time limit only
 * catches a hang: no test depends on being fast.
 */
jest.setTimeout( 60000 );
