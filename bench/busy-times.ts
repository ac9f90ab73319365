/**
 * Busy times in slot views (php/kivicare/class-mfk-busy-times.php): the time KiviCare's
 * `kc_external_busy_slots_single` filter adds to a slot view with busy times cached (target
 * ≤ 3 ms p50) and not cached (≤ Google's latency + 20 ms p50), and the `freebusy.query` calls
 * per doctor during a burst of 200 slot views in 10 s (≤ 2). The doctor grants
 * `calendar.events.freebusy` through the consent page and has busy blocks on the measured day.
 * Baseline: the same filter with nothing hooked.
 *
 *   npm run bench -- --only busy-times
 */
import './lib/env';
import path from 'node:path';
import {
	consentRedirect,
	redirectUri,
} from '../tests/integration/support/meet';
import type { Figure } from './lib/report';
import { summarize } from './lib/stats';
import { BENCH_PHP, php, type World } from './lib/world';

/** Google's latency for the uncached figure (the emulator adds it to every Google request). */
const GOOGLE_LATENCY_MS = 50;

/**
 * Pause between two uncached views: one doctor's calendar read at most about 6 times a second,
 * under the 600 a minute per user the sidecar paces to (Google's default quota), so the figure is
 * a view's own time, not the pacing of a rate no site reaches (the cache answers repeated views).
 */
const UNCACHED_GAP_MS = 150;

async function grantBusy( world: World, doctorId: number, email: string ) {
	const url = await php< string >(
		world,
		`$u = MFK_Doctor_Connection::authorization_url( $args['id'], $args['redirect'], 'bench-busy', MFK_OAuth::ACCESS_BUSY );
		if ( is_wp_error( $u ) ) { throw new RuntimeException( $u->get_error_message() ); }
		return $u;`,
		{ id: doctorId, redirect: redirectUri() }
	);
	const back = await consentRedirect( url, email );
	await php(
		world,
		`$r = MFK_Doctor_Connection::connect_from_code( $args['id'], $args['code'], $args['redirect'] );
		if ( is_wp_error( $r ) ) { throw new RuntimeException( $r->get_error_message() ); }
		return true;`,
		{
			id: doctorId,
			code: back.searchParams.get( 'code' ),
			redirect: redirectUri(),
		}
	);
}

export async function measureBusyTimes(
	world: World,
	{ runs = 200, burst = 200, seconds = 10 } = {}
) {
	const doctor = world.doctors[ 0 ]!;
	await grantBusy( world, doctor.id, doctor.email );
	const date = new Date( Date.now() + 40 * 86400000 )
		.toISOString()
		.slice( 0, 10 );
	for ( const [ from, to ] of [
		[ '09:00', '10:00' ],
		[ '13:30', '14:00' ],
	] ) {
		await fetch(
			`${ world.google.url }/__emulator/calendars/${ encodeURIComponent(
				doctor.email
			) }/busy`,
			{
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify( {
					start: { dateTime: `${ date }T${ from }:00Z` },
					end: { dateTime: `${ date }T${ to }:00Z` },
				} ),
			}
		);
	}
	const run = ( mode: string, extra: Record< string, unknown > = {} ) =>
		php< { ms: number[]; items: number; state: { state: string } } >(
			world,
			`require_once $args['file']; return mfk_bench_busy( $args );`,
			{
				file: path.join( BENCH_PHP, 'busy-times.php' ),
				doctor: doctor.id,
				date,
				runs,
				mode,
				...extra,
			}
		);
	await world.google.config( { latencyMs: 0, latencyJitterMs: 0 } );
	const cached = await run( 'cached' );
	const baseline = await run( 'baseline' );
	await world.google.config( {
		latencyMs: GOOGLE_LATENCY_MS,
		latencyJitterMs: 0,
	} );
	let uncached;
	let burstRun;
	let calls = 0;
	try {
		uncached = await run( 'uncached', {
			runs: Math.min( runs, 50 ),
			gap_ms: UNCACHED_GAP_MS,
		} );
		const before =
			( await world.google.counters() ).counters[ 'freebusy.query' ] ?? 0;
		burstRun = await run( 'burst', { burst, seconds } );
		calls =
			( ( await world.google.counters() ).counters[ 'freebusy.query' ] ??
				0 ) - before;
	} finally {
		await world.google.config( { latencyMs: 0, latencyJitterMs: 0 } );
		// The figures after this one book with the same doctor: with busy times on, each of
		// their bookings would also read Google's busy times fresh (by design, within the
		// busy_budget_ms setting), which is not what they measure.
		await php(
			world,
			`MFK_Busy_Times::set_switch( (int) $args['id'], false ); return true;`,
			{ id: doctor.id }
		);
	}
	return {
		doctor: doctor.id,
		state: cached.state.state,
		items: cached.items,
		googleLatencyMs: GOOGLE_LATENCY_MS,
		cached: summarize( cached.ms, 3 ),
		uncached: summarize( uncached.ms, 3 ),
		baseline: summarize( baseline.ms, 3 ),
		burst: { views: burst, seconds, freeBusyCalls: calls },
		burstView: summarize( burstRun.ms, 3 ),
	};
}

export function busyTimesFigures(
	m: Awaited< ReturnType< typeof measureBusyTimes > >
): Figure[] {
	const measured = m.state === 'on' && m.items > 0;
	const why = measured
		? undefined
		: `the feature was ${ m.state } with ${ m.items } blocks: nothing was measured`;
	const cachedMet = measured ? m.cached.p50 <= 3 : null;
	const uncachedMet = measured
		? m.uncached.p50 <= m.googleLatencyMs + 20
		: null;
	const burstMet = measured ? m.burst.freeBusyCalls <= 2 : null;
	const command = 'npm run bench -- --only busy-times';
	return [
		{
			id: 'busy-times-cached',
			figure: 'slot view: busy times, cached',
			how: `\`kc_external_busy_slots_single\` for a doctor with Google busy blocks, each call a new request state, busy times in the cache (transients). Baseline: the filter with nothing hooked.`,
			command,
			target: '≤ 3 ms p50',
			result: `${ m.cached.p50 } ms p50`,
			baseline: `${ m.baseline.p50 } ms`,
			ratio: m.baseline.p50 > 0 ? m.cached.p50 / m.baseline.p50 : null,
			ratioOf: 'hooked / nothing hooked',
			met: cachedMet,
			...reasonOf( cachedMet, `${ m.cached.p50 } ms p50`, why ),
			details: m,
		},
		{
			id: 'busy-times-uncached',
			figure: 'slot view: busy times, not cached',
			how: `The same with nothing cached for the doctor (one \`freebusy.query\` through the sidecar per view), Google answering after ${ m.googleLatencyMs } ms; one view every ${ UNCACHED_GAP_MS } ms at most (back to back, one doctor's reads would exceed the 600 a minute per user the sidecar paces to, Google's default quota, and each would wait 100 ms for its turn).`,
			command,
			target: `≤ Google latency + 20 ms p50 (${ m.googleLatencyMs + 20 } ms)`,
			result: `${ m.uncached.p50 } ms p50`,
			baseline: `Google latency ${ m.googleLatencyMs } ms`,
			ratio: m.uncached.p50 / m.googleLatencyMs,
			ratioOf: 'view / Google latency',
			met: uncachedMet,
			...reasonOf(
				uncachedMet,
				`${ m.uncached.p50 } ms p50: ${ round1(
					m.uncached.p50 - m.googleLatencyMs
				) } ms above Google's latency`,
				why
			),
			details: m,
		},
		{
			id: 'busy-times-burst',
			figure: 'freeBusy calls per doctor, burst of slot views',
			how: `${ m.burst.views } slot views of one doctor's day in ${ m.burst.seconds } s, nothing cached at the start; \`freebusy.query\` calls counted by Google.`,
			command,
			target: '≤ 2',
			result: `${ m.burst.freeBusyCalls }`,
			baseline: '—',
			ratio: null,
			met: burstMet,
			...reasonOf( burstMet, `${ m.burst.freeBusyCalls } calls`, why ),
			details: m,
		},
	];
}

const round1 = ( n: number ) => Math.round( n * 10 ) / 10;

/** Why a figure missed its target, or was not measured. */
function reasonOf(
	met: boolean | null,
	missed: string,
	why: string | undefined
): { reason?: string } {
	if ( met === false ) {
		return { reason: missed };
	}
	return why ? { reason: why } : {};
}
