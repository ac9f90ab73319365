/**
 * Small statistics helpers for the benchmark: nearest-rank percentiles and rounding.
 */

/** Nearest-rank percentile (p in 0..100) of unsorted values; NaN for an empty list. */
export function percentile( values: readonly number[], p: number ): number {
	if ( values.length === 0 ) {
		return NaN;
	}
	const sorted = [ ...values ].sort( ( a, b ) => a - b );
	const rank = Math.ceil( ( p / 100 ) * sorted.length );
	return sorted[
		Math.min( sorted.length - 1, Math.max( 0, rank - 1 ) )
	] as number;
}

export const median = ( values: readonly number[] ): number =>
	percentile( values, 50 );

export interface Summary {
	n: number;
	min: number;
	p50: number;
	p90: number;
	p99: number;
	max: number;
	mean: number;
}

/** Percentiles of a sample, rounded to `digits` decimals (default 1). */
export function summarize( values: readonly number[], digits = 1 ): Summary {
	const n = values.length;
	const r = ( v: number ) => round( v, digits );
	return {
		n,
		min: r( Math.min( ...values ) ),
		p50: r( percentile( values, 50 ) ),
		p90: r( percentile( values, 90 ) ),
		p99: r( percentile( values, 99 ) ),
		max: r( Math.max( ...values ) ),
		mean: r( values.reduce( ( a, b ) => a + b, 0 ) / Math.max( 1, n ) ),
	};
}

/** Rounds to `digits` decimals (default 1). */
export function round( n: number, digits = 1 ): number {
	const f = 10 ** digits;
	return Math.round( n * f ) / f;
}

/** Milliseconds elapsed since a `process.hrtime.bigint()` reading. */
export function msSince( start: bigint ): number {
	return Number( process.hrtime.bigint() - start ) / 1e6;
}

/** Shuffles in place (Fisher–Yates); used to interleave the variants of a comparison. */
export function shuffle< T >( items: T[] ): T[] {
	for ( let i = items.length - 1; i > 0; i-- ) {
		const j = Math.floor( Math.random() * ( i + 1 ) );
		[ items[ i ], items[ j ] ] = [ items[ j ] as T, items[ i ] as T ];
	}
	return items;
}
