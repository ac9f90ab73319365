/**
 * Booking overhead: the KiviCare stand-in's real booking request (`POST kivicare/v1/appointments`
 * by a logged-in patient, through WordPress on PHP's built-in server, MariaDB, KiviCare's
 * transaction and its e-mails) in variants interleaved request by request in random order:
 *
 * - `none`: Meet for KiviCare not loaded; a provider that does nothing takes its place
 *   (KiviCare refuses telemedicine bookings without a provider: 400, or 500 without one for the
 *   doctor), so KiviCare does exactly the same work minus the provider's;
 * - `ours-default`: Meet for KiviCare with its default settings (sync budget 0): the booking
 *   records the intent, and the link is made right after the answer, in the background;
 * - `ours-sync`: the same with a sync budget of 3000 ms: the link is made inside the booking
 *   (sidecar → Google), so KiviCare's booking e-mails carry it;
 * - `php-only`: Meet for KiviCare not loaded; a PHP-only add-on (bench/php/php-only-provider.php)
 *   calls Google's Calendar API with `wp_remote_post` inside the booking.
 *
 * The default path is measured at emulator latencies L = 0, 250 and 1000 ms (against `none` at
 * the same latency); the sync path and the PHP-only add-on at L = 250 ms.
 */
import './lib/env';
import { login, query, type Session } from '../tests/harness/testkit';
import type { Figure } from './lib/report';
import { sleep } from './lib/procs';
import { round, shuffle, summarize, type Summary } from './lib/stats';
import type { World } from './lib/world';

export const LATENCY_MS = 250;
export const LATENCIES = [ 0, 250, 1000 ] as const;
const VARIANTS = [ 'none', 'ours-default', 'ours-sync', 'php-only' ] as const;
export type Variant = ( typeof VARIANTS )[ number ];
/** Variants of other figures (bench/php/bench-hooks.php): the default path without the Meet steps. */
export type BenchVariant = Variant | 'ours-default-no-meet-steps';
const ZONE = 'Europe/Berlin';

/** Slot n of the booking doctor: 30-minute slots, 48 a day, from `firstDay` days ahead. */
function slot( n: number, firstDay: number ) {
	const day = new Date(
		Date.now() + ( firstDay + Math.floor( n / 48 ) ) * 86400000
	)
		.toISOString()
		.slice( 0, 10 );
	const minutes = ( n % 48 ) * 30;
	const time = `${ String( Math.floor( minutes / 60 ) ).padStart( 2, '0' ) }:${ String( minutes % 60 ).padStart( 2, '0' ) }`;
	return { appointmentStartDate: day, appointmentStartTime: time };
}

/** One booking of the booking doctor's telemedicine service, as `variant`; its time and id. */
export async function book(
	session: Session,
	world: World,
	variant: BenchVariant,
	n: number,
	firstDay: number
) {
	const doctor = world.doctors[ 0 ]!;
	const started = process.hrtime.bigint();
	const res = await session.fetch( 'wp-json/kivicare/v1/appointments', {
		method: 'POST',
		headers: {
			'Content-Type': 'application/json',
			Accept: 'application/json',
			...( variant === 'ours-sync'
				? {}
				: { 'X-MFK-Bench-Variant': variant } ),
		},
		body: JSON.stringify( {
			...slot( n, firstDay ),
			doctorId: doctor.id,
			serviceId: [ doctor.telemedMapping ],
			status: 1,
			timezone: ZONE,
		} ),
	} );
	const text = await res.text();
	const ms = Number( process.hrtime.bigint() - started ) / 1e6;
	if ( res.status !== 201 ) {
		throw new Error(
			`${ variant } booking: HTTP ${ res.status } ${ text.slice( 0, 300 ) }`
		);
	}
	return { ms, id: Number( JSON.parse( text ).data.appointment_id ) };
}

export interface BookingRun {
	latencyMs: number;
	variants: Variant[];
	summaries: Partial< Record< Variant, Summary > >;
	/** Appointments of the measured rounds, and of every round (warm-up included). */
	ids: Partial< Record< Variant, number[] > >;
	allIds: Partial< Record< Variant, number[] > >;
}

export interface BookingResult {
	rounds: number;
	runs: BookingRun[];
	checks: {
		syncReadyInBooking: number;
		defaultReadyInBackground: number;
		defaultBookings: number;
		phpOnlyLinks: number;
		perVariant: number;
	};
}

/** One latency: rounds of the given variants, interleaved in random order. */
async function measureAt(
	world: World,
	session: Session,
	latencyMs: number,
	variants: Variant[],
	rounds: number,
	warmup: number,
	first: { n: number; day: number }
): Promise< BookingRun > {
	await world.google.config( {
		latencyMs,
		latencyJitterMs: 0,
		conferenceDelayMs: 0,
		rateLimits: { perUserPerMinute: null, perProjectPerMinute: null },
	} );
	const ms: Partial< Record< Variant, number[] > > = {};
	const ids: Partial< Record< Variant, number[] > > = {};
	const allIds: Partial< Record< Variant, number[] > > = {};
	for ( const v of variants ) {
		ms[ v ] = [];
		ids[ v ] = [];
		allIds[ v ] = [];
	}
	for ( let r = 0; r < warmup + rounds; r++ ) {
		for ( const variant of shuffle( [ ...variants ] ) ) {
			const b = await book(
				session,
				world,
				variant,
				first.n++,
				first.day
			);
			allIds[ variant ]!.push( b.id );
			if ( r >= warmup ) {
				ms[ variant ]!.push( b.ms );
				ids[ variant ]!.push( b.id );
			}
		}
	}
	return {
		latencyMs,
		variants,
		summaries: Object.fromEntries(
			variants.map( ( v ) => [ v, summarize( ms[ v ]! ) ] )
		),
		ids,
		allIds,
	};
}

export async function measureBooking(
	world: World,
	rounds = 40,
	warmup = 3,
	firstDay = 30
): Promise< BookingResult > {
	const session = await login( world.patient );
	const first = { n: 0, day: firstDay };
	const runs: BookingRun[] = [];
	for ( const latencyMs of LATENCIES ) {
		runs.push(
			await measureAt(
				world,
				session,
				latencyMs,
				latencyMs === LATENCY_MS
					? [ ...VARIANTS ]
					: [ 'none', 'ours-default' ],
				rounds,
				warmup,
				first
			)
		);
	}

	const measured = ( v: Variant ) =>
		runs.flatMap( ( r ) => r.ids[ v ] ?? [] );
	const all = ( v: Variant ) => runs.flatMap( ( r ) => r.allIds[ v ] ?? [] );
	const states = async ( list: number[] ) =>
		list.length
			? query< {
					state: string;
					url: string;
					link_in_booking_mail: number;
				} >(
					`SELECT state, url, link_in_booking_mail FROM wp_kc_appointment_google_meet_mappings WHERE appointment_id IN (${ list.join( ',' ) })`
				)
			: [];
	const sync = await states( measured( 'ours-sync' ) );
	// The default path's links come from the background, with no queue run: wait for the last.
	const defaults = measured( 'ours-default' );
	let ready = 0;
	for ( let waited = 0; waited < 60000; waited += 250 ) {
		ready = ( await states( defaults ) ).filter(
			( r ) => r.state === 'ready' && r.url !== ''
		).length;
		if ( ready === defaults.length ) {
			break;
		}
		await sleep( 250 );
	}
	const phpOnly = await query< { n: number } >(
		`SELECT COUNT(*) AS n FROM wp_kc_standin_fake_meet_mappings WHERE url <> '' AND appointment_id IN (${ measured( 'php-only' ).join( ',' ) })`
	);
	// The baselines' appointments are telemedicine appointments without a meeting of ours: out of
	// the way of the backlog figure's `wp mfk sync`.
	await query(
		`UPDATE wp_kc_appointments SET status = 0 WHERE id IN (${ [ ...all( 'none' ), ...all( 'php-only' ) ].join( ',' ) })`
	);
	return {
		rounds,
		runs,
		checks: {
			perVariant: rounds,
			syncReadyInBooking: sync.filter(
				( r ) =>
					r.state === 'ready' &&
					r.url !== '' &&
					Number( r.link_in_booking_mail ) === 1
			).length,
			defaultReadyInBackground: ready,
			defaultBookings: defaults.length,
			phpOnlyLinks: Number( phpOnly[ 0 ]?.n ?? 0 ),
		},
	};
}

export function bookingFigures( m: BookingResult ): Figure[] {
	const at = ( l: number ) => m.runs.find( ( r ) => r.latencyMs === l )!;
	const main = at( LATENCY_MS ).summaries as Record< Variant, Summary >;
	const none = main.none.p50;
	const addedSync = round( main[ 'ours-sync' ].p50 - none );
	const addedPhp = round( main[ 'php-only' ].p50 - none );
	const syncBudget = LATENCY_MS + 25;
	const ratioPhp = main[ 'ours-sync' ].p50 / main[ 'php-only' ].p50;
	const c = m.checks;
	const added = m.runs.map( ( r ) => ( {
		latencyMs: r.latencyMs,
		none: r.summaries.none!.p50,
		ours: r.summaries[ 'ours-default' ]!.p50,
		added: round(
			r.summaries[ 'ours-default' ]!.p50 - r.summaries.none!.p50
		),
	} ) );
	const checks = `${ c.syncReadyInBooking }/${ c.perVariant } sync bookings had their link in KiviCare's e-mail; ${ c.defaultReadyInBackground }/${ c.defaultBookings } default-path bookings got their link from the background (no cron run, no page view); PHP-only: ${ c.phpOnlyLinks }/${ c.perVariant } links`;
	const command = 'npm run bench -- --only booking';
	const how = `${ m.rounds } rounds per latency of a telemedicine booking (\`POST kivicare/v1/appointments\` as a logged-in patient), variants interleaved in random order; p50 of each; baseline: the same booking with Meet for KiviCare not loaded and a provider that does nothing in its place (KiviCare refuses telemedicine bookings without one). E-mails are composed but not delivered.`;
	const syncOk =
		addedSync <= syncBudget && c.syncReadyInBooking === c.perVariant;
	const defaultOk =
		added.every( ( a ) => a.added <= 10 ) &&
		c.defaultReadyInBackground === c.defaultBookings;
	const phpOk = ratioPhp <= 1.1;
	const worst = added.reduce( ( w, a ) => ( a.added > w.added ? a : w ) );
	return [
		{
			id: 'booking-default',
			figure: 'booking overhead, default path',
			how: `${ how } Default settings (no time budget: the link is made right after the answer, in the background), at emulator latencies ${ LATENCIES.join( ', ' ) } ms. Checks: ${ checks }.`,
			command,
			target: 'added ≤ 10 ms p50 at L = 0, 250 and 1000 ms',
			result: added
				.map(
					( a ) =>
						`L ${ a.latencyMs }: ${ a.added >= 0 ? '+' : '' }${ a.added } ms`
				)
				.join( '; ' ),
			baseline: added
				.map( ( a ) => `L ${ a.latencyMs }: ${ a.none } ms` )
				.join( '; ' ),
			ratio: worst.ours / worst.none,
			ratioOf: 'with / without (worst latency)',
			met: defaultOk,
			...( defaultOk
				? {}
				: {
						reason:
							c.defaultReadyInBackground !== c.defaultBookings
								? `only ${ c.defaultReadyInBackground }/${ c.defaultBookings } links came from the background`
								: `at L = ${ worst.latencyMs } ms the booking adds ${ worst.added } ms: loading the plugin, reading the appointment and the doctor's connection, writing the mapping row, and the loopback kick written to the site's socket at the end of the request`,
					} ),
			details: { added },
		},
		{
			id: 'booking-sync',
			figure: 'booking overhead, sync path (time budget 3000 ms)',
			how: `${ how } Emulator latency L = ${ LATENCY_MS } ms. Checks: ${ checks }.`,
			command,
			target: `added ≤ L + 25 ms p50 (L = ${ LATENCY_MS } ms)`,
			result: `+${ addedSync } ms p50 (${ main[ 'ours-sync' ].p50 } ms booking)`,
			baseline: `without the plugin ${ none } ms`,
			ratio: main[ 'ours-sync' ].p50 / none,
			ratioOf: 'with / without',
			met: syncOk,
			...( syncOk
				? {}
				: {
						reason:
							c.syncReadyInBooking !== c.perVariant
								? `only ${ c.syncReadyInBooking }/${ c.perVariant } bookings got their link inside the booking`
								: `the booking adds ${ addedSync } ms: L = ${ LATENCY_MS } ms for Google plus ${ round( addedSync - LATENCY_MS ) } ms of our own (the PHP-only add-on adds ${ addedPhp } ms, i.e. ${ round( addedPhp - LATENCY_MS ) } ms besides Google): WordPress's HTTP request to the sidecar, the sidecar, and the mapping row's writes inside KiviCare's transaction`,
					} ),
			details: { ...m, addedSyncMs: addedSync },
		},
		{
			id: 'booking-vs-php-only',
			figure: 'vs a PHP-only add-on',
			how: "the same bookings as the sync path, made by a PHP-only add-on (bench/php/php-only-provider.php: `events.insert` with `wp_remote_post` from `create_meeting`, the link saved through KiviCare's mapping model).",
			command,
			target: '≤ 1.1× on the sync path',
			result: `${ round( ratioPhp, 3 ) }× (${ main[ 'ours-sync' ].p50 } vs ${ main[ 'php-only' ].p50 } ms p50)`,
			baseline: `PHP-only add-on ${ main[ 'php-only' ].p50 } ms`,
			ratio: ratioPhp,
			ratioOf: 'ours / PHP-only',
			met: phpOk,
			...( phpOk
				? {}
				: {
						reason: `ours ${ main[ 'ours-sync' ].p50 } ms vs ${ main[ 'php-only' ].p50 } ms p50: the extra hop to the sidecar and the durable mapping row (written before the call, updated after)`,
					} ),
			details: { addedPhpOnlyMs: addedPhp },
		},
	];
}
