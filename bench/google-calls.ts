/**
 * Google calls per change: the KiviCare stand-in's real requests (a patient's booking, an
 * administrator's reschedule, unchanged re-save, regenerate, cancel and delete) through WordPress,
 * the queue, the sidecar and the emulator, with the calls counted where Google would count them:
 * at the emulator's `/__emulator/counters`, per operation, around each change (the queue drained
 * before the count is read). Reads of a conference Google is still creating are counted apart.
 * Bytes are the bodies of Google's answers as sent (partial responses, gzip); "before" is the
 * same answers in full and uncompressed (the event resource as the emulator's control route
 * reads it), what they were without `fields` and gzip.
 */
import './lib/env';
import { harness, login, query, type Session } from '../tests/harness/testkit';
import { drainQueue, MAPPINGS } from '../tests/integration/support/meet';
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
		const [ row ] = await query< { event_id: string } >(
			`SELECT event_id FROM ${ MAPPINGS } WHERE appointment_id = ?`,
			[ id ]
		);
		const fullEvent = await fetch(
			`${ world.google.url }/__emulator/calendars/${ encodeURIComponent(
				doctor.email
			) }/events/${ row!.event_id }`
		).then( ( r ) => r.text() );
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
		return {
			booking,
			reschedule,
			resave,
			regenerate,
			cancel,
			deletion,
			fullEventBytes: Buffer.byteLength( fullEvent ),
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
	// Before: the creation path for every change (reschedule: insert → 409, get, patch), every
	// event answer in full and uncompressed.
	const beforeBookingBytes = m.fullEventBytes;
	const beforeRescheduleBytes = 2 * m.fullEventBytes;
	return {
		id: 'google-calls',
		figure: 'Google calls per change',
		how: `KiviCare stand-in requests through WordPress, the queue, the sidecar and the emulator; calls counted at the emulator per operation around each change, the queue drained first. Reads of a pending conference counted apart (booking ${ m.booking.polls }, regenerate ${ m.regenerate.polls }). Bytes: Google's answer bodies as sent (partial response, gzip); before = the same event answers in full, uncompressed (${ m.fullEventBytes } bytes each; the old reschedule read two, get and patch, besides the 409).`,
		command: 'npm run bench -- --only google-calls',
		target: 'booking 1, reschedule 1, cancel 1, delete 1, re-save 0, regenerate ≤ 2 (polls ≤ 3)',
		result: `booking ${ show( m.booking.calls ) }; reschedule ${ show( m.reschedule.calls ) }; cancel ${ show( m.cancel.calls ) }; delete ${ show( m.deletion.calls ) }; re-save ${ show( m.resave.calls ) }; regenerate ${ show( m.regenerate.calls ) }; bytes per booking ${ m.booking.bytes }, per reschedule ${ m.reschedule.bytes }`,
		baseline: `before: reschedule 3 calls (insert 409, get, patch), regenerate 2; bytes ≈ ${ beforeBookingBytes } per booking, ≈ ${ beforeRescheduleBytes } per reschedule`,
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
