/**
 * Calendar sync with nothing changed: one periodic run of a doctor's calendar sync
 * (MFK_Calendar_Sync::sync_doctor) from its stored token, inside a loaded WordPress. Counts the
 * Google calls at the emulator and splits each run's time into the sidecar round trip and the
 * PHP around it (the figure).
 */
import './lib/env';
import path from 'node:path';
import type { Figure } from './lib/report';
import { summarize } from './lib/stats';
import { BENCH_PHP, php, type World } from './lib/world';

export async function measureCalendarSync( world: World, runs = 50 ) {
	const doctor = world.doctors[ 0 ]!;
	// Work the earlier figures left for this doctor (Meet steps the queue still finishes in the
	// background) would be counted as the sync's: wait until the doctor's account is quiet.
	let quietSince = Date.now();
	let last = -1;
	for ( const giveUp = Date.now() + 90000; Date.now() < giveUp; ) {
		const calls =
			( await world.google.counters() ).accounts[ doctor.email ]?.calls ??
			0;
		if ( calls !== last ) {
			last = calls;
			quietSince = Date.now();
		} else if ( Date.now() - quietSince >= 3000 ) {
			break;
		}
		await new Promise( ( resolve ) => setTimeout( resolve, 250 ) );
	}
	// The first (full) sync reads every event of the site on the calendar, in as many pages as
	// it takes; it is made first and not counted.
	const first = await php< { error?: string } >(
		world,
		`delete_user_meta( (int) $args['d'], MFK_Calendar_Sync::META_SYNC_TOKEN );
		$r = MFK_Calendar_Sync::sync_doctor( (int) $args['d'] );
		return is_wp_error( $r ) ? array( 'error' => $r->get_error_code() ) : array();`,
		{ d: doctor.id }
	);
	if ( first.error ) {
		throw new Error( first.error );
	}
	const before = await world.google.counters();
	const r = await php< {
		error?: string;
		phpMs: number[];
		totalMs: number[];
		queries: number[];
		requests: number[];
		changed: number;
	} >(
		world,
		`require_once $args['file']; return mfk_bench_calendar_sync( $args );`,
		{
			file: path.join( BENCH_PHP, 'calendar-sync.php' ),
			doctor: doctor.id,
			runs,
		}
	);
	if ( r.error ) {
		throw new Error( r.error );
	}
	const after = await world.google.counters();
	// This doctor's calls only: work the earlier figures left to the queue (other doctors'
	// meetings, their calendars' syncs) may reach Google meanwhile.
	const account = ( c: typeof after ) =>
		c.accounts[ doctor.email ]?.calls ?? 0;
	const googleCalls = account( after ) - account( before );
	if ( googleCalls === 0 ) {
		throw new Error(
			`No call counted for ${ doctor.email } at the emulator: the count would be wrong.`
		);
	}
	return {
		runs,
		googleCallsPerRun: googleCalls / runs,
		php: summarize( r.phpMs, 3 ),
		total: summarize( r.totalMs, 3 ),
		maxQueries: Math.max( ...r.queries ),
		maxRequests: Math.max( ...r.requests ),
		changed: r.changed,
	};
}

export function calendarSyncFigure(
	m: Awaited< ReturnType< typeof measureCalendarSync > >
): Figure {
	const met = m.googleCallsPerRun <= 1 && m.php.p50 <= 5 && m.changed === 0;
	return {
		id: 'calendar-sync',
		figure: 'calendar sync per doctor, nothing changed',
		how: `\`MFK_Calendar_Sync::sync_doctor()\` ${ m.runs } times for one connected doctor from the stored sync token, nothing changed in Google; the doctor's Google calls counted at the emulator (per account: the queue may meanwhile work for other doctors); PHP time is each run minus the sidecar round trip (\`pre_http_request\` to \`http_api_debug\`).`,
		command: 'npm run bench -- --only calendar-sync',
		target: 'one Google call, ≤ 5 ms of PHP',
		result: `${ m.googleCallsPerRun } Google ${ m.googleCallsPerRun === 1 ? 'call' : 'calls' }, ${ m.php.p50 } ms of PHP p50 (${ m.total.p50 } ms in all, ${ m.maxQueries } queries at most)`,
		baseline: `sidecar round trip ${ Math.round( ( m.total.p50 - m.php.p50 ) * 1000 ) / 1000 } ms`,
		ratio: null,
		ratioOf: '',
		met,
		...( met
			? {}
			: {
					reason:
						m.changed > 0
							? `${ m.changed } events came back, so something changed`
							: `${ m.googleCallsPerRun } calls, ${ m.php.p50 } ms of PHP`,
				} ),
		details: m,
	};
}
