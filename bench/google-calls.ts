/**
 * Google calls per change: the KiviCare stand-in's real requests (a patient's booking, an
 * administrator's reschedule, unchanged re-save, regenerate, cancel and delete) through WordPress,
 * the queue, the sidecar and the emulator, with the calls counted where Google would count them:
 * at the emulator's `/__emulator/counters`, per operation, around each change (the queue drained
 * before the count is read). Reads of a conference Google is still creating are counted apart.
 * Bytes are the bodies of Google's answers as sent (partial responses, gzip), read from the
 * emulator's counters. "Before" is measured the same way: the old call sequence (a booking: one
 * insert; a reschedule: insert answered 409, get, patch) replayed for the same doctor with the
 * plain Calendar client (`@googleapis/calendar`), without `fields` and without gzip, against the
 * same emulator. Only the bench does this; the product has no switch for it.
 */
import { randomBytes } from 'node:crypto';
import { calendar as calendarClient } from '@googleapis/calendar';
import { OAuth2Client } from 'google-auth-library';
import { eventBody } from '../src/sidecar/meetings/event';
import { directTokens } from './lib/google';
import './lib/env';
import { harness, login, type Session } from '../tests/harness/testkit';
import {
	CLIENT_ID,
	CLIENT_SECRET,
	drainQueue,
	redirectUri,
} from '../tests/integration/support/meet';
import type { Figure } from './lib/report';
import { sleep } from './lib/procs';
import { php, type World } from './lib/world';

const KC = 'wp-json/kivicare/v1';
const ZONE = 'Europe/Berlin';

type Counts = Record< string, number >;

interface Change {
	/** Writes and other calls (events.insert/patch/delete, and reads that are not polls). */
	calls: Counts;
	/** Reads of a pending conference. */
	polls: number;
	/** Bytes of Google's answers (as sent). */
	bytes: number;
}

async function snapshot( world: World ) {
	const c = ( await world.google.counters() ) as {
		counters: Counts;
		bytes?: Counts;
	};
	return { calls: c.counters, bytes: c.bytes ?? {} };
}

function delta( before: Counts, after: Counts ): Counts {
	const d: Counts = {};
	for ( const [ k, n ] of Object.entries( after ) ) {
		if ( k.startsWith( 'events.' ) && n > ( before[ k ] ?? 0 ) ) {
			d[ k ] = n - ( before[ k ] ?? 0 );
		}
	}
	return d;
}

/** The calls and bytes of one change: `fn`, then the queue drained until the counters settle. */
async function measure(
	world: World,
	fn: () => Promise< unknown >,
	pollsApart: boolean
): Promise< Change > {
	const before = await snapshot( world );
	await fn();
	let last = '';
	for ( let i = 0; i < 20; i++ ) {
		await drainQueue();
		await sleep( 300 );
		const now = JSON.stringify( ( await snapshot( world ) ).calls );
		if ( now === last ) {
			break;
		}
		last = now;
	}
	const after = await snapshot( world );
	const calls = delta( before.calls, after.calls );
	const bytes = Object.values( delta( before.bytes, after.bytes ) ).reduce(
		( a, b ) => a + b,
		0
	);
	if ( ! pollsApart ) {
		return { calls, polls: 0, bytes };
	}
	const { 'events.get': polls = 0, ...writes } = calls;
	return { calls: writes, polls, bytes };
}

/** Bytes of Google's answers (as sent) while `fn` runs, from the emulator's counters. */
async function bytesOf( world: World, fn: () => Promise< unknown > ) {
	const before = await snapshot( world );
	await fn();
	const after = await snapshot( world );
	return Object.values( delta( before.bytes, after.bytes ) ).reduce(
		( a, b ) => a + b,
		0
	);
}

/**
 * The old call sequence, for bytes only: a booking (insert), then a reschedule as it used to be
 * made (insert answered 409, get, patch), with the plain Calendar client, no `fields`, no gzip.
 */
async function replayBefore( world: World, email: string, day: string ) {
	const tokens = await directTokens(
		world.google.url,
		{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
		email,
		redirectUri()
	);
	const auth = new OAuth2Client();
	auth.setCredentials( { access_token: tokens.accessToken } );
	const api = calendarClient( {
		version: 'v3',
		rootUrl: `${ world.google.url }/`,
		auth,
		// The client always asks for gzip; the old answers are measured uncompressed.
		fetchImplementation: ( input: any, init: any ) => {
			const headers = new Headers( init?.headers );
			// Node's fetch would add its own `gzip, deflate`: ask for the body as it is.
			headers.set( 'accept-encoding', 'identity' );
			return fetch( input, { ...init, headers } );
		},
	} as Parameters< typeof calendarClient >[ 0 ] );
	// An id of Google's alphabet (base32hex) that no appointment uses.
	const id = `bench${ randomBytes( 10 ).toString( 'hex' ) }`;
	const at = ( time: string ) => ( {
		start: { dateTime: `${ day }T${ time }:00`, timeZone: ZONE },
		end: {
			dateTime: `${ day }T${ time.replace( /:00$/, ':30' ) }:00`,
			timeZone: ZONE,
		},
	} );
	const body = ( time: string ) =>
		eventBody(
			{
				siteId: 'bench-before',
				appointmentId: 1,
				calendarId: 'primary',
				revision: 0,
				summary: 'Video consultation',
				description: '',
				...at( time ),
				sendUpdates: 'none',
				waitMs: 0,
			},
			id
		);
	const insert = ( time: string ) =>
		api.events.insert( {
			calendarId: 'primary',
			conferenceDataVersion: 1,
			sendUpdates: 'none',
			requestBody: body( time ),
		} );
	const booking = await bytesOf( world, () => insert( '09:00' ) );
	const reschedule = await bytesOf( world, async () => {
		try {
			await insert( '11:00' );
			throw new Error( 'the replayed insert was not answered 409' );
		} catch ( error ) {
			if ( ( error as { status?: number } ).status !== 409 ) {
				throw error;
			}
		}
		await api.events.get( { calendarId: 'primary', eventId: id } );
		await api.events.patch( {
			calendarId: 'primary',
			eventId: id,
			sendUpdates: 'none',
			requestBody: at( '11:00' ),
		} );
	} );
	await api.events.delete( {
		calendarId: 'primary',
		eventId: id,
		sendUpdates: 'none',
	} );
	return { booking, reschedule };
}

const total = ( c: Counts ) =>
	Object.values( c ).reduce( ( a, b ) => a + b, 0 );
const show = ( c: Counts ) =>
	Object.keys( c ).length
		? Object.entries( c )
				.map( ( [ k, n ] ) => `${ n } ${ k }` )
				.join( ' + ' )
		: 'none';

export async function measureGoogleCalls( world: World, firstDay = 400 ) {
	const doctor = world.doctors[ 1 % world.doctors.length ]!;
	const patient: Session = await login( world.patient );
	const admin: Session = await login( harness().admin );
	const day = new Date( Date.now() + firstDay * 86400000 )
		.toISOString()
		.slice( 0, 10 );
	await php(
		world,
		`update_option( 'mfk_harness_background', 'off', false ); return true;`
	);
	const rest = async (
		session: Session,
		route: string,
		method: string,
		body?: unknown
	) => {
		const res = await session.fetch( `${ KC }/${ route }`, {
			method,
			headers: {
				'Content-Type': 'application/json',
				Accept: 'application/json',
			},
			body: body === undefined ? undefined : JSON.stringify( body ),
		} );
		const text = await res.text();
		if ( res.status >= 300 ) {
			throw new Error(
				`${ method } ${ route }: HTTP ${ res.status } ${ text.slice( 0, 300 ) }`
			);
		}
		return JSON.parse( text );
	};
	const bookAt = async ( time: string ) =>
		Number(
			(
				await rest( patient, 'appointments', 'POST', {
					appointmentStartDate: day,
					appointmentStartTime: time,
					doctorId: doctor.id,
					serviceId: [ doctor.telemedMapping ],
					status: 1,
					timezone: ZONE,
				} )
			).data.appointment_id
		);
	const moveTo = ( id: number, time: string ) =>
		rest( admin, `appointments/${ id }`, 'PUT', {
			appointmentStartDate: day,
			appointmentStartTime: time,
		} );

	try {
		let id = 0;
		const booking = await measure(
			world,
			async () => {
				id = await bookAt( '09:00' );
			},
			true
		);
		const reschedule = await measure(
			world,
			() => moveTo( id, '11:00' ),
			false
		);
		const resave = await measure(
			world,
			() => moveTo( id, '11:00' ),
			false
		);
		const regenerate = await measure(
			world,
			() =>
				rest(
					admin,
					`appointments/${ id }/regenerate-video-conference`,
					'GET'
				),
			true
		);
		const cancel = await measure(
			world,
			() =>
				rest( admin, `appointments/${ id }/status`, 'PUT', {
					status: 0,
				} ),
			false
		);
		const other = await bookAt( '13:00' );
		await drainQueue();
		const deletion = await measure(
			world,
			() => rest( admin, `appointments/${ other }`, 'DELETE' ),
			false
		);
		const before = await replayBefore( world, doctor.email, day );
		return {
			booking,
			reschedule,
			resave,
			regenerate,
			cancel,
			deletion,
			before,
		};
	} finally {
		await php(
			world,
			`delete_option( 'mfk_harness_background' ); return true;`
		);
	}
}

export function googleCallsFigure(
	m: Awaited< ReturnType< typeof measureGoogleCalls > >
): Figure {
	const checks: Array< [ string, boolean ] > = [
		[ 'booking', total( m.booking.calls ) === 1 ],
		[ 'reschedule', total( m.reschedule.calls ) === 1 ],
		[ 'cancel', total( m.cancel.calls ) === 1 ],
		[ 'delete', total( m.deletion.calls ) === 1 ],
		[ 're-save unchanged', total( m.resave.calls ) === 0 ],
		[ 'regenerate', total( m.regenerate.calls ) <= 2 ],
		[ 'pending polls', m.booking.polls <= 3 && m.regenerate.polls <= 3 ],
	];
	const missed = checks.filter( ( [ , ok ] ) => ! ok ).map( ( [ k ] ) => k );
	const met = missed.length === 0;
	// Before: measured, the old call sequence replayed with the plain client (replayBefore).
	const beforeBookingBytes = m.before.booking;
	const beforeRescheduleBytes = m.before.reschedule;
	return {
		id: 'google-calls',
		figure: 'Google calls per change',
		how: `KiviCare stand-in requests through WordPress, the queue, the sidecar and the emulator; calls counted at the emulator per operation around each change, the queue drained first. Reads of a pending conference counted apart (booking ${ m.booking.polls }, regenerate ${ m.regenerate.polls }). Bytes: Google's answer bodies as sent (partial response, gzip), from the emulator's counters; before = measured the same way, the old sequence replayed for the same doctor with the plain Calendar client, no \`fields\`, no gzip (booking: insert; reschedule: insert answered 409, get, patch).`,
		command: 'npm run bench -- --only google-calls',
		target: 'booking 1, reschedule 1, cancel 1, delete 1, re-save 0, regenerate ≤ 2 (polls ≤ 3)',
		result: `booking ${ show( m.booking.calls ) }; reschedule ${ show( m.reschedule.calls ) }; cancel ${ show( m.cancel.calls ) }; delete ${ show( m.deletion.calls ) }; re-save ${ show( m.resave.calls ) }; regenerate ${ show( m.regenerate.calls ) }; bytes per booking ${ m.booking.bytes }, per reschedule ${ m.reschedule.bytes }`,
		baseline: `before: reschedule 3 calls (insert 409, get, patch), regenerate 2; bytes ${ beforeBookingBytes } per booking, ${ beforeRescheduleBytes } per reschedule (measured)`,
		ratio:
			beforeRescheduleBytes > 0
				? m.reschedule.bytes / beforeRescheduleBytes
				: null,
		ratioOf: 'reschedule bytes now / before',
		met,
		...( met ? {} : { reason: `missed: ${ missed.join( ', ' ) }` } ),
		details: m,
	};
}
