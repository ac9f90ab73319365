/**
 * Booking overhead: the KiviCare stand-in's real booking request (`POST kivicare/v1/appointments`
 * by a logged-in patient, through WordPress on PHP's built-in server, MariaDB, KiviCare's
 * transaction and its e-mails) in four variants, interleaved request by request in random order:
 *
 * - `none`: Meet for KiviCare not loaded; a provider that does nothing takes its place
 *   (KiviCare refuses telemedicine bookings without a provider: 400, or 500 without one for the
 *   doctor), so KiviCare does exactly the same work minus the provider's;
 * - `ours-sync`: Meet for KiviCare, a telemedicine service, sync budget 3000 ms: the link is made
 *   inside the booking (sidecar → Google), so KiviCare's e-mails carry it;
 * - `ours-async`: the same with a sync budget of 0: the booking only records the intent;
 * - `php-only`: Meet for KiviCare not loaded; a PHP-only add-on (bench/php/php-only-provider.php)
 *   calls Google's Calendar API with `wp_remote_post` inside the booking.
 *
 * The emulator answers every Google call after L = 250 ms.
 */
import './lib/env';
import { login, query, type Session } from '../tests/harness/testkit';
import type { Figure } from './lib/report';
import { round, shuffle, summarize, type Summary } from './lib/stats';
import { startRunner, type World } from './lib/world';

export const LATENCY_MS = 250;
const VARIANTS = [ 'none', 'ours-sync', 'ours-async', 'php-only' ] as const;
export type Variant = ( typeof VARIANTS )[ number ];
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
	variant: Variant,
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

export interface BookingResult {
	latencyMs: number;
	rounds: number;
	summaries: Record< Variant, Summary >;
	checks: {
		syncReadyInBooking: number;
		asyncPendingAfterBooking: number;
		asyncReadyAfterQueue: number;
		phpOnlyLinks: number;
		perVariant: number;
	};
}

export async function measureBooking(
	world: World,
	rounds = 40,
	warmup = 3,
	firstDay = 30
): Promise< BookingResult > {
	await world.google.config( {
		latencyMs: LATENCY_MS,
		latencyJitterMs: 0,
		conferenceDelayMs: 0,
		rateLimits: { perUserPerMinute: null, perProjectPerMinute: null },
	} );
	const session = await login( world.patient );
	const ms: Record< Variant, number[] > = {
		none: [],
		'ours-sync': [],
		'ours-async': [],
		'php-only': [],
	};
	const ids: Record< Variant, number[] > = {
		none: [],
		'ours-sync': [],
		'ours-async': [],
		'php-only': [],
	};
	const all: Record< Variant, number[] > = {
		none: [],
		'ours-sync': [],
		'ours-async': [],
		'php-only': [],
	};
	let n = 0;
	for ( let r = 0; r < warmup + rounds; r++ ) {
		for ( const variant of shuffle( [ ...VARIANTS ] ) ) {
			const b = await book( session, world, variant, n++, firstDay );
			all[ variant ].push( b.id );
			if ( r >= warmup ) {
				ms[ variant ].push( b.ms );
				ids[ variant ].push( b.id );
			}
		}
	}

	// What each variant did: links made inside the booking, intents left to the queue.
	const states = async ( list: number[] ) =>
		query< { state: string; url: string; link_in_booking_mail: number } >(
			`SELECT state, url, link_in_booking_mail FROM wp_kc_appointment_google_meet_mappings WHERE appointment_id IN (${ list.join( ',' ) })`
		);
	const sync = await states( ids[ 'ours-sync' ] );
	const asyncRows = await states( ids[ 'ours-async' ] );
	const phpOnly = await query< { n: number } >(
		`SELECT COUNT(*) AS n FROM wp_kc_standin_fake_meet_mappings WHERE url <> '' AND appointment_id IN (${ ids[ 'php-only' ].join( ',' ) })`
	);
	// The queue provisions the async bookings (and leaves nothing due for the next figures).
	await startRunner( world.instance, [] ).done.catch( () => undefined );
	const afterQueue = await states( ids[ 'ours-async' ] );
	// The baselines' appointments are telemedicine appointments without a meeting of ours: out of
	// the way of the backlog figure's `wp mfk sync`.
	await query(
		`UPDATE wp_kc_appointments SET status = 0 WHERE id IN (${ [ ...all.none, ...all[ 'php-only' ] ].join( ',' ) })`
	);
	return {
		latencyMs: LATENCY_MS,
		rounds,
		summaries: Object.fromEntries(
			VARIANTS.map( ( v ) => [ v, summarize( ms[ v ] ) ] )
		) as Record< Variant, Summary >,
		checks: {
			perVariant: rounds,
			syncReadyInBooking: sync.filter(
				( r ) =>
					r.state === 'ready' &&
					r.url !== '' &&
					Number( r.link_in_booking_mail ) === 1
			).length,
			asyncPendingAfterBooking: asyncRows.filter(
				( r ) => r.state === 'pending'
			).length,
			asyncReadyAfterQueue: afterQueue.filter(
				( r ) => r.state === 'ready' && r.url !== ''
			).length,
			phpOnlyLinks: Number( phpOnly[ 0 ]?.n ?? 0 ),
		},
	};
}

export function bookingFigures( m: BookingResult ): Figure[] {
	const s = m.summaries;
	const none = s.none.p50;
	const addedSync = round( s[ 'ours-sync' ].p50 - none );
	const addedAsync = round( s[ 'ours-async' ].p50 - none );
	const addedPhp = round( s[ 'php-only' ].p50 - none );
	const syncBudget = m.latencyMs + 25;
	const ratioPhp = s[ 'ours-sync' ].p50 / s[ 'php-only' ].p50;
	const c = m.checks;
	const checks = `${ c.syncReadyInBooking }/${ c.perVariant } sync bookings had their link in KiviCare's e-mail; ${ c.asyncPendingAfterBooking }/${ c.perVariant } async bookings left to the queue, ${ c.asyncReadyAfterQueue } ready after one queue run; PHP-only: ${ c.phpOnlyLinks }/${ c.perVariant } links`;
	const command = 'npm run bench -- --only booking';
	const how = `${ m.rounds } rounds of four bookings of a telemedicine service (\`POST kivicare/v1/appointments\` as a logged-in patient), variants interleaved in random order; p50 of each; emulator latency L = ${ m.latencyMs } ms; baseline: the same booking with Meet for KiviCare not loaded and a provider that does nothing in its place (KiviCare refuses telemedicine bookings without one). E-mails are composed but not delivered.`;
	const syncOk =
		addedSync <= syncBudget && c.syncReadyInBooking === c.perVariant;
	const asyncOk =
		addedAsync <= 15 && c.asyncPendingAfterBooking === c.perVariant;
	const phpOk = ratioPhp <= 1.1;
	return [
		{
			id: 'booking-sync',
			figure: 'booking overhead, sync path',
			how: `${ how } Checks: ${ checks }.`,
			command,
			target: `added ≤ L + 25 ms p50 (L = ${ m.latencyMs } ms)`,
			result: `+${ addedSync } ms p50 (${ s[ 'ours-sync' ].p50 } ms booking)`,
			baseline: `without the plugin ${ none } ms`,
			ratio: s[ 'ours-sync' ].p50 / none,
			ratioOf: 'with / without',
			met: syncOk,
			...( syncOk
				? {}
				: {
						reason:
							c.syncReadyInBooking !== c.perVariant
								? `only ${ c.syncReadyInBooking }/${ c.perVariant } bookings got their link inside the booking`
								: `the booking adds ${ addedSync } ms: L = ${ m.latencyMs } ms for Google plus ${ round( addedSync - m.latencyMs ) } ms of our own (the PHP-only add-on adds ${ addedPhp } ms, i.e. ${ round( addedPhp - m.latencyMs ) } ms besides Google): WordPress's HTTP request to the sidecar, the sidecar, and the mapping row's writes inside KiviCare's transaction`,
					} ),
			details: { ...m, addedSyncMs: addedSync },
		},
		{
			id: 'booking-async',
			figure: 'booking overhead, async path',
			how: 'the same bookings as the sync path, with a sync budget of 0 for this variant (the booking records the intent; the queue makes the link).',
			command,
			target: 'added ≤ 15 ms p50',
			result: `+${ addedAsync } ms p50 (${ s[ 'ours-async' ].p50 } ms booking)`,
			baseline: `without the plugin ${ none } ms`,
			ratio: s[ 'ours-async' ].p50 / none,
			ratioOf: 'with / without',
			met: asyncOk,
			...( asyncOk
				? {}
				: {
						reason: `the booking with the plugin and nothing sent to Google takes ${ addedAsync } ms more than without the plugin: loading the plugin, reading the appointment and the doctor's connection, writing the mapping row and scheduling the queue run`,
					} ),
			details: { addedAsyncMs: addedAsync },
		},
		{
			id: 'booking-vs-php-only',
			figure: 'vs a PHP-only add-on',
			how: "the same bookings as the sync path, made by a PHP-only add-on (bench/php/php-only-provider.php: `events.insert` with `wp_remote_post` from `create_meeting`, the link saved through KiviCare's mapping model).",
			command,
			target: '≤ 1.1× on the sync path',
			result: `${ round( ratioPhp, 3 ) }× (${ s[ 'ours-sync' ].p50 } vs ${ s[ 'php-only' ].p50 } ms p50)`,
			baseline: `PHP-only add-on ${ s[ 'php-only' ].p50 } ms`,
			ratio: ratioPhp,
			ratioOf: 'ours / PHP-only',
			met: phpOk,
			...( phpOk
				? {}
				: {
						reason: `ours ${ s[ 'ours-sync' ].p50 } ms vs ${ s[ 'php-only' ].p50 } ms p50: the extra hop to the sidecar and the durable mapping row (written before the call, updated after)`,
					} ),
			details: { addedPhpOnlyMs: addedPhp },
		},
	];
}
