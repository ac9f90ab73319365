/**
 * Changes made in the doctor's Google Calendar come back (MFK_Calendar_Sync,
 * MFK_REST_Calendar_Push): the notification endpoint under hostile traffic (unknown channel,
 * wrong token, replayed numbers, a flood: never 5xx, never a Google call), a push that marks the
 * calendar "sync due", and the sync that makes moved, deleted and stripped events reach the
 * clinic — after a push, and by the periodic run without one — with the same link kept, 410
 * handled and no duplicate event.
 */
import { harness, login, query, wpJson } from '../harness/testkit';
import { book } from '../kivicare-stand-in/test-support/standin';
import {
	calendarEvents,
	configureMeet,
	drainQueue,
	emulatorCounters,
	freshDate,
	mapping,
	runQueue,
	setSettings,
	telemedScenario,
	type Scenario,
} from './support/meet';

const ROUTE = 'meet-for-kivicare/v1/calendar-notifications';
let sc: Scenario;

async function control( path: string, method = 'POST', body?: unknown ) {
	const res = await fetch(
		`${ harness().emulatorUrl }/__emulator/${ path }`,
		{
			method,
			headers: body ? { 'Content-Type': 'application/json' } : undefined,
			body: body ? JSON.stringify( body ) : undefined,
		}
	);
	if ( res.status >= 400 ) {
		throw new Error( `${ path }: ${ res.status } ${ await res.text() }` );
	}
}

const calPath = () =>
	`calendars/${ encodeURIComponent( sc.doctorEmail ) }/events`;

async function bookOne( hour: string ): Promise< number > {
	const patient = await login( sc.patient );
	const booked = await book( patient, {
		appointmentStartDate: freshDate(),
		appointmentStartTime: hour,
		doctorId: sc.doctor.id,
		patientId: sc.patient.id,
		serviceId: [ sc.mappingId ],
		status: 1,
	} );
	if ( booked.status !== 201 ) {
		throw new Error( `Booking failed: ${ JSON.stringify( booked.body ) }` );
	}
	const id = booked.body.data.appointment_id as number;
	await drainQueue();
	expect( ( await mapping( id ) )?.state ).toBe( 'ready' );
	return id;
}

const notify = ( headers: Record< string, string > ) =>
	fetch( `${ harness().restUrl }${ ROUTE }`, { method: 'POST', headers } );

const syncDoctor = () =>
	wpJson< any >(
		'return MFK_Calendar_Sync::sync_doctor( (int) $args["d"] );',
		{
			d: sc.doctor.id,
		}
	);
const userMeta = ( key: string ) =>
	wpJson< any >(
		'return get_user_meta( (int) $args["d"], $args["k"], true );',
		{
			d: sc.doctor.id,
			k: key,
		}
	);
const eventsOf = async ( id: number ) =>
	( await calendarEvents( sc.doctorEmail ) ).filter(
		( e ) =>
			e.extendedProperties?.private?.mfkAppointmentId === String( id )
	);

async function waitFor( fn: () => Promise< boolean > ): Promise< void > {
	for ( let i = 0; i < 100; i++ ) {
		if ( await fn() ) {
			return;
		}
		await new Promise( ( r ) => setTimeout( r, 100 ) );
	}
	throw new Error( 'never happened' );
}

beforeAll( async () => {
	await configureMeet( {} );
	sc = await telemedScenario();
	// A first (full) sync: the doctor's calendar has a token from now on.
	const first = await syncDoctor();
	if ( first?.full !== true ) {
		throw new Error( `first sync: ${ JSON.stringify( first ) }` );
	}
} );

describe( 'the notification endpoint', () => {
	let channel: { id: string; token: string };

	beforeAll( async () => {
		channel = await wpJson(
			'return MFK_Calendar_Channels::ensure_channel( (int) $args["d"] );',
			{
				d: sc.doctor.id,
			}
		);
		// Google's first message ("sync", number 1) arrives and is recorded.
		await waitFor(
			async () =>
				( await userMeta( 'mfk_calendar_channel' ) ).last_message >= 1
		);
	} );

	test( 'unknown channels, wrong tokens and floods are refused without 5xx or a Google call', async () => {
		expect( channel.id ).toMatch( /^mfk-/ );
		// The "sync" message marked nothing due.
		expect( await userMeta( 'mfk_calendar_sync_due' ) ).toBe( '' );
		// A fresh rate-limit window (an earlier run in the same minute left its count).
		await query(
			"DELETE FROM wp_options WHERE option_name LIKE '\\_transient\\_%mfk\\_push\\_fail\\_%'"
		);
		// Calendar calls only: busy times (on by default) may be read by other requests meanwhile.
		const calendarCalls = async () =>
			Object.fromEntries(
				Object.entries( await emulatorCounters() ).filter(
					( [ op ] ) => op !== 'freebusy.query'
				)
			);
		const before = await calendarCalls();
		const unknown = await notify( {
			'X-Goog-Channel-ID': 'mfk-unknown',
			'X-Goog-Channel-Token': channel.token,
			'X-Goog-Message-Number': '5',
			'X-Goog-Resource-State': 'exists',
		} );
		expect( unknown.status ).toBe( 403 );
		const wrong = await notify( {
			'X-Goog-Channel-ID': channel.id,
			'X-Goog-Channel-Token': `${ channel.token.slice( 0, -1 ) }${
				channel.token.endsWith( '0' ) ? '1' : '0'
			}`,
			'X-Goog-Message-Number': '5',
			'X-Goog-Resource-State': 'exists',
		} );
		expect( wrong.status ).toBe( 403 );
		expect( ( await notify( {} ) ).status ).toBe( 403 );
		const statuses: number[] = [];
		for ( let i = 0; i < 40; i++ ) {
			statuses.push(
				(
					await notify( {
						'X-Goog-Channel-ID': channel.id,
						'X-Goog-Channel-Token': `x${ i }`,
						'X-Goog-Message-Number': String( i ),
					} )
				).status
			);
		}
		expect( statuses.every( ( s ) => s < 500 ) ).toBe( true );
		expect( statuses ).toContain( 429 );
		// A valid notification still gets through the flood; its replay is ignored.
		const valid = {
			'X-Goog-Channel-ID': channel.id,
			'X-Goog-Channel-Token': channel.token,
			'X-Goog-Message-Number': '1000',
			'X-Goog-Resource-State': 'exists',
		};
		const first = await notify( valid );
		expect( first.status ).toBe( 200 );
		expect( ( await first.json() ).accepted ).toBe( true );
		expect(
			Number( await userMeta( 'mfk_calendar_sync_due' ) )
		).toBeGreaterThan( 0 );
		const replay = await notify( valid );
		expect( replay.status ).toBe( 200 );
		expect( ( await replay.json() ).accepted ).toBe( false );
		const older = await notify( {
			...valid,
			'X-Goog-Message-Number': '999',
		} );
		expect( ( await older.json() ).accepted ).toBe( false );
		expect( await calendarCalls() ).toEqual( before );
		await syncDoctor();
	} );

	test( 'a move in Google pushes a notice; one sync later the clinic sees "moved in Google", the link kept', async () => {
		// The test above sent numbers only Google should send: a fresh channel (the old one
		// stopped, as on disconnect) starts again at Google's own numbering.
		await wpJson(
			'MFK_Calendar_Sync::on_disconnected( (int) $args["d"] ); return MFK_Calendar_Channels::ensure_channel( (int) $args["d"] );',
			{ d: sc.doctor.id }
		);
		expect( ( await syncDoctor() ).full ).toBe( true );
		const id = await bookOne( '09:00' );
		await syncDoctor(); // Our own writes: nothing to apply.
		const before = await mapping( id );
		const [ event ] = await eventsOf( id );
		const moved = new Date(
			Date.parse( event!.start.dateTime ) + 2 * 3600e3
		);
		await control( `${ calPath() }/${ event!.id }/move`, 'POST', {
			start: { dateTime: moved.toISOString() },
			end: {
				dateTime: new Date( moved.getTime() + 30 * 60e3 ).toISOString(),
			},
		} );
		// Every notification Google owes so far (the booking's own writes, then the move) has
		// arrived: a late one would mark the calendar due again after the run below.
		await waitFor( async () => {
			const res = await fetch(
				`${ harness().emulatorUrl }/__emulator/channels`
			);
			const { items } = ( await res.json() ) as {
				items: Array< { deliveries: Array< { delivered: boolean } > } >;
			};
			return items.every( ( c ) =>
				c.deliveries.every( ( d ) => d.delivered )
			);
		} );
		await waitFor(
			async () => Number( await userMeta( 'mfk_calendar_sync_due' ) ) > 0
		);
		// The push made the next queue run (WP-Cron's run-now) sync the calendar.
		await wpJson( 'do_action( "mfk_queue_run_now" ); return true;' );
		expect( await userMeta( 'mfk_calendar_sync_due' ) ).toBe( '' );
		await drainQueue();
		const after = await mapping( id );
		expect( after?.last_error_code ).toBe( 'moved_in_google' );
		expect( after?.url ).toBe( before?.url );
		expect( await eventsOf( id ) ).toHaveLength( 1 );
	} );
} );

describe( 'the clinic answers a move made in Google', () => {
	async function movedInGoogle( hour: string, byHours: number ) {
		const id = await bookOne( hour );
		await syncDoctor();
		const [ event ] = await eventsOf( id );
		const to = new Date(
			Date.parse( event!.start.dateTime ) + byHours * 3600e3
		);
		await control( `${ calPath() }/${ event!.id }/move`, 'POST', {
			start: { dateTime: to.toISOString() },
			end: {
				dateTime: new Date( to.getTime() + 30 * 60e3 ).toISOString(),
			},
		} );
		await syncDoctor();
		await drainQueue();
		expect( ( await mapping( id ) )?.last_error_code ).toBe(
			'moved_in_google'
		);
		return { id, to, url: ( await mapping( id ) )!.url };
	}
	const startUtc = async ( id: number ) =>
		(
			await query< { s: string } >(
				"SELECT DATE_FORMAT( appointment_start_utc, '%Y-%m-%dT%H:%i:%sZ' ) AS s FROM wp_kc_appointments WHERE id = ?",
				[ id ]
			)
		)[ 0 ]!.s;

	test( "Apply to appointment: KiviCare reschedules to Google's time and the flag clears, same link", async () => {
		const { id, to, url } = await movedInGoogle( '14:00', 3 );
		const admin = await login( sc.clinicAdmin );
		const applied = await admin.rest(
			`meet-for-kivicare/v1/appointments/${ id }/meeting/google-move/apply`,
			{ method: 'POST' }
		);
		expect( applied.status ).toBe( 200 );
		expect( Date.parse( await startUtc( id ) ) ).toBe( to.getTime() );
		await drainQueue();
		const row = await mapping( id );
		expect( row?.state ).toBe( 'ready' );
		expect( row?.last_error_code ).toBe( '' );
		expect( row?.url ).toBe( url );
		const events = await eventsOf( id );
		expect( events ).toHaveLength( 1 );
		expect( Date.parse( events[ 0 ]!.start.dateTime ) ).toBe(
			to.getTime()
		);
		// Nothing left to apply.
		const again = await admin.rest(
			`meet-for-kivicare/v1/appointments/${ id }/meeting/google-move/apply`,
			{ method: 'POST' }
		);
		expect( again.status ).toBe( 409 );
	} );

	test( "Put back: the appointment's time goes back on the event in Google; patients may do neither", async () => {
		const before = ( await bookOne( '16:00' ) ) as number;
		const bookedAt = await startUtc( before );
		const [ event ] = await eventsOf( before );
		await control( `${ calPath() }/${ event!.id }/move`, 'POST', {
			start: { dateTime: '2040-01-01T08:00:00Z' },
			end: { dateTime: '2040-01-01T08:30:00Z' },
		} );
		await syncDoctor();
		await drainQueue();
		expect( ( await mapping( before ) )?.last_error_code ).toBe(
			'moved_in_google'
		);
		const patient = await login( sc.patient );
		const refused = await patient.rest(
			`meet-for-kivicare/v1/appointments/${ before }/meeting/google-move/put-back`,
			{ method: 'POST' }
		);
		expect( refused.status ).toBe( 403 );
		const admin = await login( sc.clinicAdmin );
		// The flag and its two actions, through REST and on the Meet panel.
		const shown = await admin.rest(
			`meet-for-kivicare/v1/appointments/${ before }/meeting?render=1`
		);
		expect( JSON.stringify( shown.body ) ).toContain( 'moved_in_google' );
		expect( shown.body.html ).toContain( 'Apply to appointment' );
		expect( shown.body.html ).toContain(
			`appointments/${ before }/meeting/google-move/put-back`
		);
		const health = await wpJson< any >( 'return MFK_Health::report();' );
		expect( health.calendar_sync ).toMatchObject( {
			synced: expect.any( Number ),
			channels: expect.any( Number ),
		} );
		expect( health.calendar_sync.moved_in_google ).toBeGreaterThanOrEqual(
			1
		);
		const back = await admin.rest(
			`meet-for-kivicare/v1/appointments/${ before }/meeting/google-move/put-back`,
			{ method: 'POST' }
		);
		expect( back.status ).toBe( 200 );
		await drainQueue();
		const events = await eventsOf( before );
		expect( events ).toHaveLength( 1 );
		expect( Date.parse( events[ 0 ]!.start.dateTime ) ).toBe(
			Date.parse( bookedAt )
		);
		expect( await startUtc( before ) ).toBe( bookedAt );
		expect( ( await mapping( before ) )?.last_error_code ).toBe( '' );
	} );
} );

describe( 'the periodic sync, without push', () => {
	test( 'a deleted event is restored with the same id and link; a stripped conference is repaired', async () => {
		const gone = await bookOne( '11:00' );
		const stripped = await bookOne( '13:00' );
		await syncDoctor();
		const goneRow = await mapping( gone );
		const strippedRow = await mapping( stripped );
		await control( `${ calPath() }/${ goneRow!.event_id }`, 'DELETE' );
		await control(
			`${ calPath() }/${ strippedRow!.event_id }/conference`,
			'POST',
			{
				action: 'remove',
			}
		);
		// The last sync is older than the interval: the queue's tick syncs this doctor.
		await query(
			'UPDATE wp_usermeta SET meta_value = ? WHERE user_id = ? AND meta_key = ?',
			[ '1', sc.doctor.id, 'mfk_calendar_sync_last' ]
		);
		// A tick before the next due time does nothing; once it is due, the tick syncs.
		await wpJson(
			'update_option( MFK_Calendar_Sync::OPTION_NEXT, time() + 600 ); do_action( "mfk_queue_tick" ); return true;'
		);
		expect( ( await mapping( gone ) )?.state ).toBe( 'ready' );
		await wpJson(
			'update_option( MFK_Calendar_Sync::OPTION_NEXT, 0 ); do_action( "mfk_queue_tick" ); return true;'
		);
		expect(
			Number( await userMeta( 'mfk_calendar_sync_last' ) )
		).toBeGreaterThan( 1 );
		await drainQueue();
		const [ restored ] = await eventsOf( gone );
		expect( restored?.status ).toBe( 'confirmed' );
		expect( restored?.id ).toBe( goneRow!.event_id );
		expect( restored?.hangoutLink ).toBe( goneRow!.url );
		expect( ( await mapping( gone ) )?.url ).toBe( goneRow!.url );
		const repaired = await eventsOf( stripped );
		expect( repaired ).toHaveLength( 1 );
		expect( repaired[ 0 ]!.hangoutLink ).toEqual(
			expect.stringContaining( 'https://meet.google.com/' )
		);
		expect( ( await mapping( stripped ) )?.url ).toBe(
			repaired[ 0 ]!.hangoutLink
		);
	} );

	test( 'with the clinic setting "flag", a deleted event stays deleted and staff see it; Try again restores it', async () => {
		await setSettings( { google_deleted_event: 'flag' } );
		try {
			const id = await bookOne( '15:00' );
			await syncDoctor();
			const row = await mapping( id );
			await control( `${ calPath() }/${ row!.event_id }`, 'DELETE' );
			await syncDoctor();
			await drainQueue();
			const flagged = await mapping( id );
			expect( flagged?.state ).toBe( 'failed' );
			expect( flagged?.last_error_code ).toBe( 'deleted_in_google' );
			expect( ( await eventsOf( id ) )[ 0 ]?.status ).toBe( 'cancelled' );
			// The patient is not sent to the deleted event's link: the clinic arranges it again.
			const meetingAs = async ( who: typeof sc.patient ) => {
				const res = await (
					await login( who )
				).rest(
					`meet-for-kivicare/v1/appointments/${ id }/meeting?render=1`
				);
				expect( res.status ).toBe( 200 );
				return res.body;
			};
			const forPatient = await meetingAs( sc.patient );
			expect( forPatient ).toMatchObject( {
				link: 'none',
				waiting_for: 'clinic',
			} );
			expect( forPatient.url ).toBeUndefined();
			expect( forPatient.error ).toBeUndefined();
			expect( JSON.stringify( forPatient ) ).not.toContain( row!.url );
			expect( forPatient.html ).toContain(
				'The video link for this consultation is being arranged again by the clinic.'
			);
			// The doctor (staff alike) sees the flag and Try again.
			const forDoctor = await meetingAs( sc.doctor );
			expect( forDoctor ).toMatchObject( {
				state: 'failed',
				link: 'none',
				error: { code: 'deleted_in_google' },
				fix: { action: 'retry' },
			} );
			expect( forDoctor.url ).toBeUndefined();
			expect( forDoctor.html ).toContain( 'deleted in Google Calendar' );
			// A second sync changes nothing.
			await syncDoctor();
			expect( ( await mapping( id ) )?.state ).toBe( 'failed' );
			// Nor does the doctor's reconnection: its replay of their failed meetings leaves
			// this one for the clinic.
			await wpJson(
				'do_action( "mfk_doctor_reconnected", (int) $args["d"] ); return true;',
				{ d: sc.doctor.id }
			);
			await drainQueue();
			expect( await mapping( id ) ).toMatchObject( {
				state: 'failed',
				last_error_code: 'deleted_in_google',
			} );
			expect( ( await eventsOf( id ) )[ 0 ]?.status ).toBe( 'cancelled' );
			const admin = await login( sc.clinicAdmin );
			const retried = await admin.rest(
				`meet-for-kivicare/v1/appointments/${ id }/meeting/retry`,
				{ method: 'POST' }
			);
			expect( retried.status ).toBe( 200 );
			await drainQueue();
			const [ restored ] = await eventsOf( id );
			expect( restored?.status ).toBe( 'confirmed' );
			expect( restored?.hangoutLink ).toBe( row!.url );
		} finally {
			await setSettings( { google_deleted_event: 'restore' } );
		}
	} );

	test( 'the system-cron runner syncs too, only when due, and handles the change in the same run', async () => {
		const gone = await bookOne( '16:00' );
		await syncDoctor();
		const row = await mapping( gone );
		await control( `${ calPath() }/${ row!.event_id }`, 'DELETE' );
		await query(
			'UPDATE wp_usermeta SET meta_value = ? WHERE user_id = ? AND meta_key = ?',
			[ '1', sc.doctor.id, 'mfk_calendar_sync_last' ]
		);
		// Before the next due time the runner leaves the calendars alone.
		await wpJson(
			'update_option( MFK_Calendar_Sync::OPTION_NEXT, time() + 600 ); return true;'
		);
		const calendarReads = async () => {
			const counters = await emulatorCounters();
			return [ counters[ 'events.list' ], counters[ 'events.watch' ] ];
		};
		const before = await calendarReads();
		await runQueue();
		expect( await calendarReads() ).toEqual( before );
		expect( await userMeta( 'mfk_calendar_sync_last' ) ).toBe( '1' );
		// Once due, one run syncs the calendar and restores the deleted event.
		await wpJson(
			'update_option( MFK_Calendar_Sync::OPTION_NEXT, 0 ); return true;'
		);
		await runQueue();
		expect(
			Number( await userMeta( 'mfk_calendar_sync_last' ) )
		).toBeGreaterThan( 1 );
		const [ restored ] = await eventsOf( gone );
		expect( restored?.status ).toBe( 'confirmed' );
		expect( restored?.hangoutLink ).toBe( row!.url );
		expect( ( await mapping( gone ) )?.state ).toBe( 'ready' );
	} );

	test( 'a calendar Google pushed a change for is synced first when more calendars are due than one run takes', async () => {
		// Twelve connected calendars never synced (due by the interval), then one synced just
		// now with a push waiting, the last in id order: a run takes ten, and it must be one.
		const outcome = await wpJson< { synced: number[]; pushed: number } >(
			`$made = array();
			for ( $i = 0; $i < 13; $i++ ) {
				$id = wp_insert_user( array( 'user_login' => 'mfk-cap-' . $i . '-' . wp_generate_password( 6, false ), 'user_pass' => wp_generate_password(), 'role' => 'subscriber' ) );
				update_user_meta( $id, MFK_Doctor_Connection::META_STATUS, MFK_Doctor_Connection::STATUS_ACTIVE );
				$made[] = $id;
			}
			$pushed = end( $made );
			update_user_meta( $pushed, MFK_Calendar_Sync::META_SYNC_LAST, time() );
			update_user_meta( $pushed, MFK_Calendar_Sync::META_SYNC_DUE, time() );
			$synced = array_keys( MFK_Calendar_Sync::run_due() );
			require_once ABSPATH . 'wp-admin/includes/user.php';
			foreach ( $made as $id ) {
				wp_delete_user( $id );
			}
			update_option( MFK_Calendar_Sync::OPTION_NEXT, 0 );
			return array( 'synced' => $synced, 'pushed' => $pushed );`
		);
		expect( outcome.synced ).toHaveLength( 10 );
		expect( outcome.synced ).toContain( outcome.pushed );
	} );

	test( 'nothing changed: one Google call; a refused token (410) gives a full sync and no duplicate', async () => {
		await syncDoctor();
		const before = await emulatorCounters();
		const quiet = await syncDoctor();
		expect( quiet ).toMatchObject( {
			events: 0,
			requeued: 0,
			full: false,
		} );
		const after = await emulatorCounters();
		const delta = Object.fromEntries(
			Object.entries( after )
				.map( ( [ k, v ] ) => [ k, v - ( before[ k ] ?? 0 ) ] )
				.filter( ( [ , v ] ) => ( v as number ) > 0 )
		);
		expect( delta ).toEqual( { 'events.list': 1 } );

		await control(
			`calendars/${ encodeURIComponent( sc.doctorEmail ) }/sync-tokens/invalidate`
		);
		const full = await syncDoctor();
		expect( full.full ).toBe( true );
		expect( full.requeued ).toBe( 0 );
		await drainQueue();
		const ids = ( await calendarEvents( sc.doctorEmail ) ).map(
			( e ) => e.id
		);
		expect( new Set( ids ).size ).toBe( ids.length );
	} );
} );
