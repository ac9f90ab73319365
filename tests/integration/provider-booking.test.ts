/**
 * KiviCare's booking lifecycle through the stand-in's REST API with the real sidecar and the
 * Google emulator: one event with Meet at the right instant, the link in KiviCare's booking
 * e-mail and dashboard data, reschedule keeping the link, cancel by status, re-booking,
 * delete and bulk delete, regenerate, check-out, a rolled-back booking, double saves.
 */
import {
	clearDebugLog,
	clearMail,
	harness,
	login,
	phpProblems,
	setTimezone,
	waitForMail,
	type Session,
} from '../harness/testkit';
import {
	book,
	createDoctor,
	createService,
	KC,
	runActionScheduler,
} from '../kivicare-stand-in/test-support/standin';
import {
	calendarEvents,
	configureMeet,
	connectDoctor,
	drainQueue,
	installTestHooks,
	mapping,
	recordedActions,
	removeTestHooks,
	telemedScenario,
	type GoogleEvent,
	type Scenario,
} from './support/meet';
import { wpJson } from '../harness/testkit';

const YEAR = new Date().getUTCFullYear() + 1;

function instant( value: string ): number {
	return new Date( value ).getTime();
}

function utc( sqlDateTime: string ): number {
	return new Date( sqlDateTime.replace( ' ', 'T' ) + 'Z' ).getTime();
}

async function eventsOf(
	sc: Scenario,
	appointmentId: number
): Promise< GoogleEvent[] > {
	return ( await calendarEvents( sc.doctorEmail ) ).filter(
		( e ) =>
			e.extendedProperties?.private?.mfkAppointmentId ===
			String( appointmentId )
	);
}

async function listItem( session: Session, id: number ) {
	const res = await session.rest(
		`${ KC }/appointments?perPage=-1&timeFrame=all`
	);
	expect( res.status ).toBe( 200 );
	return res.body.data.appointments.find(
		( a: { id: number } ) => a.id === id
	);
}

describe( 'KiviCare booking lifecycle with Google Meet', () => {
	let sc: Scenario;
	let patient: Session;
	let doctor: Session;

	beforeAll( async () => {
		await installTestHooks();
		await setTimezone( 'Europe/Berlin' ); // A site zone that is neither UTC nor the appointment's.
		await configureMeet( {
			sync_budget_ms: 5000,
			event_title_template: 'Video consultation',
		} );
		sc = await telemedScenario();
		patient = await login( sc.patient );
		doctor = await login( sc.doctor );
		clearDebugLog();
	} );

	afterAll( async () => {
		await removeTestHooks();
		await setTimezone( 'UTC' );
	} );

	async function bookOne( date: string, time: string, timezone?: string ) {
		const res = await book( patient, {
			appointmentStartDate: date,
			appointmentStartTime: time,
			doctorId: sc.doctor.id,
			patientId: sc.patient.id,
			serviceId: [ sc.mappingId ],
			status: 1,
			...( timezone ? { timezone } : {} ),
		} );
		expect( res.status ).toBe( 201 );
		return res.body.data.appointment_id as number;
	}

	it( "creates one Google event with Meet at the right instant, and KiviCare's booking mail carries the link", async () => {
		clearMail();
		// 10:00 in New York on 15 January is 15:00 UTC (EST); the site itself runs on Berlin time.
		const id = await bookOne(
			`${ YEAR }-01-15`,
			'10:00',
			'America/New_York'
		);
		const row = await mapping( id );
		expect( row ).toMatchObject( {
			state: 'ready',
			desired: 'active',
			timezone: 'America/New_York',
			start_utc: `${ YEAR }-01-15 15:00:00`,
			link_in_booking_mail: 1,
		} );
		expect( row!.url ).toMatch(
			/^https:\/\/meet\.google\.com\/[a-z]{3}-[a-z]{4}-[a-z]{3}$/
		);

		const events = await eventsOf( sc, id );
		expect( events ).toHaveLength( 1 );
		const [ event ] = events as [ GoogleEvent ];
		expect( event.id ).toBe( row!.event_id );
		expect( event.status ).toBe( 'confirmed' );
		expect( instant( event.start.dateTime ) ).toBe(
			Date.UTC( YEAR, 0, 15, 15, 0 )
		);
		expect( instant( event.end.dateTime ) ).toBe(
			Date.UTC( YEAR, 0, 15, 15, 30 )
		);
		expect( event.start.timeZone ).toBe( 'America/New_York' );
		expect( event.hangoutLink ).toBe( row!.url );
		expect( event.summary ).toBe( 'Video consultation' );
		expect( event.description ?? '' ).toBe( '' );

		// KiviCare's own Meet mail to the patient, queued in Action Scheduler inside the booking,
		// goes out with {{meet_link}} filled in when Action Scheduler runs.
		await runActionScheduler();
		const mail = await waitForMail( ( all ) =>
			all.some(
				( m ) =>
					m.to.includes( sc.patient.email ) &&
					( m.html ?? m.text ).includes( row!.url )
			)
		);
		expect( mail.length ).toBeGreaterThan( 0 );

		// The doctor and the patient see the link in KiviCare's appointment list.
		expect( await listItem( doctor, id ) ).toMatchObject( {
			video_consultation: true,
			video_url: row!.url,
		} );
		expect( await listItem( patient, id ) ).toMatchObject( {
			video_consultation: true,
			video_url: row!.url,
		} );
		const single = await patient.rest( `${ KC }/appointments/${ id }` );
		expect( single.body.data ).toMatchObject( {
			video_consultation: true,
			video_url: row!.url,
		} );

		const ready = await recordedActions( id );
		expect( ready ).toEqual( [
			expect.objectContaining( {
				hook: 'mfk_meeting_ready',
				state: 'ready',
				context: expect.objectContaining( {
					booking_mail_had_link: true,
					source: 'booking',
				} ),
			} ),
		] );
	} );

	it( 'lands at the right instant on a site set to a fixed UTC offset', async () => {
		await setTimezone( 'UTC+5:30' );
		let id = 0;
		try {
			id = await bookOne( `${ YEAR }-01-16`, '10:00' ); // KiviCare stores the zone as +05:30.
		} finally {
			await setTimezone( 'Europe/Berlin' );
		}
		expect( ( await mapping( id ) )!.start_utc ).toBe(
			`${ YEAR }-01-16 04:30:00`
		);
		const [ event ] = await eventsOf( sc, id );
		expect( instant( event!.start.dateTime ) ).toBe(
			Date.UTC( YEAR, 0, 16, 4, 30 )
		);
	} );

	it( 'lands at the right instant across a daylight-saving change', async () => {
		// Europe/London springs forward on the last Sunday of March at 01:00 UTC.
		const lastSunday = new Date( Date.UTC( YEAR, 2, 31 ) );
		lastSunday.setUTCDate( 31 - lastSunday.getUTCDay() );
		const day = lastSunday.toISOString().slice( 0, 10 );
		const before = new Date( lastSunday.getTime() - 86400000 )
			.toISOString()
			.slice( 0, 10 );

		const a = await bookOne( before, '09:00', 'Europe/London' ); // GMT: 09:00 UTC.
		const b = await bookOne( day, '09:00', 'Europe/London' ); // BST: 08:00 UTC.
		const c = await bookOne( day, '00:30', 'Europe/London' ); // Starts before the change, ends after it.

		const [ ea ] = await eventsOf( sc, a );
		const [ eb ] = await eventsOf( sc, b );
		const [ ec ] = await eventsOf( sc, c );
		expect( instant( ea!.start.dateTime ) ).toBe(
			utc( `${ before } 09:00:00` )
		);
		expect( instant( eb!.start.dateTime ) ).toBe(
			utc( `${ day } 08:00:00` )
		);
		expect( eb!.start.dateTime ).toMatch( /\+01:00$/ );
		expect( instant( ec!.start.dateTime ) ).toBe(
			utc( `${ day } 00:30:00` )
		);
		expect(
			instant( ec!.end.dateTime ) - instant( ec!.start.dateTime )
		).toBe( 30 * 60000 );
		expect( ec!.start.dateTime ).toMatch( /\+00:00$|Z$/ );
	} );

	it( 'reschedules to the new time and keeps the same Meet link', async () => {
		const id = await bookOne( `${ YEAR }-02-10`, '09:00', 'Asia/Tokyo' );
		const before = await mapping( id );
		const res = await doctor.rest( `${ KC }/appointments/${ id }`, {
			method: 'PUT',
			body: {
				appointmentStartDate: `${ YEAR }-02-11`,
				appointmentStartTime: '14:30',
				timezone: 'Asia/Tokyo',
			},
		} );
		expect( res.status ).toBe( 200 );
		expect( typeof res.body ).toBe( 'object' ); // Nothing echoed into KiviCare's JSON answer.
		const after = await mapping( id );
		expect( after ).toMatchObject( {
			state: 'ready',
			url: before!.url,
			start_utc: `${ YEAR }-02-11 05:30:00`,
		} );
		const events = await eventsOf( sc, id );
		expect( events ).toHaveLength( 1 );
		expect( events[ 0 ]!.hangoutLink ).toBe( before!.url );
		expect( instant( events[ 0 ]!.start.dateTime ) ).toBe(
			Date.UTC( YEAR, 1, 11, 5, 30 )
		);
		expect(
			( await recordedActions( id ) ).map( ( a ) => a.hook )
		).toContain( 'mfk_meeting_rescheduled' );
	} );

	it( 'cancels the event when the status becomes cancelled, and brings it back when re-booked', async () => {
		const id = await bookOne( `${ YEAR }-03-03`, '11:00' );
		const link = ( await mapping( id ) )!.url;

		const cancel = await doctor.rest(
			`${ KC }/appointments/${ id }/status`,
			{ method: 'PUT', body: { status: 0 } }
		);
		expect( cancel.status ).toBe( 200 );
		expect( await mapping( id ) ).toMatchObject( {
			state: 'cancelled',
			desired: 'cancelled',
		} );
		expect( ( await eventsOf( sc, id ) ).map( ( e ) => e.status ) ).toEqual(
			[ 'cancelled' ]
		);
		expect( await listItem( patient, id ) ).toMatchObject( {
			video_consultation: false,
			video_url: '',
		} );
		// KiviCare's mails read the model: a cancelled meeting has no link.
		expect(
			await wpJson(
				'return \\KCGMApp\\models\\KCGMAppointmentGoogleMeetMapping::query()->where( "appointmentId", $args["id"] )->first()->url;',
				{ id }
			)
		).toBe( '' );

		const rebook = await doctor.rest(
			`${ KC }/appointments/${ id }/status`,
			{ method: 'PUT', body: { status: 1 } }
		);
		expect( rebook.status ).toBe( 200 );
		const row = await mapping( id );
		expect( row ).toMatchObject( { state: 'ready', desired: 'active' } );
		expect( row!.url ).toBe( link );
		const events = await eventsOf( sc, id );
		expect( events.map( ( e ) => e.status ) ).toEqual( [ 'confirmed' ] );
		expect( events[ 0 ]!.hangoutLink ).toBe( link );
	} );

	it( 'removes the events of a deleted appointment and of bulk-deleted ones', async () => {
		const one = await bookOne( `${ YEAR }-04-01`, '09:00' );
		const two = await bookOne( `${ YEAR }-04-01`, '10:00' );
		const three = await bookOne( `${ YEAR }-04-01`, '11:00' );

		const del = await doctor.rest( `${ KC }/appointments/${ one }`, {
			method: 'DELETE',
		} );
		expect( del.status ).toBe( 200 );
		const bulk = await doctor.rest( `${ KC }/appointments/bulk/delete`, {
			method: 'POST',
			body: { ids: [ two, three ] },
		} );
		expect( bulk.status ).toBe( 200 );

		for ( const id of [ one, two, three ] ) {
			expect(
				( await eventsOf( sc, id ) ).map( ( e ) => e.status )
			).toEqual( [ 'cancelled' ] );
			expect( await mapping( id ) ).toMatchObject( {
				state: 'cancelled',
				desired: 'cancelled',
			} );
		}
	} );

	it( 'regenerate gives the same event a new link each time, at the appointment\'s own time (never KiviCare\'s "now")', async () => {
		const id = await bookOne( `${ YEAR }-05-05`, '16:00', 'Europe/Paris' );
		const before = await mapping( id );
		const links = [ before!.url ];
		for ( let i = 1; i <= 2; i++ ) {
			const res = await doctor.rest(
				`${ KC }/appointments/${ id }/regenerate-video-conference`
			);
			expect( res.status ).toBe( 200 );
			expect( JSON.stringify( res.body ) ).not.toContain(
				'meet.google.com'
			);
			await drainQueue();
			const after = await mapping( id );
			expect( after ).toMatchObject( {
				state: 'ready',
				link_state: 'ready',
				sync_state: 'in_step',
				revision: before!.revision + i,
				start_utc: before!.start_utc,
				end_utc: before!.end_utc,
			} );
			expect( links ).not.toContain( after!.url );
			links.push( after!.url );
			const events = await eventsOf( sc, id );
			expect( events ).toHaveLength( 1 );
			expect( events[ 0 ]!.hangoutLink ).toBe( after!.url );
			expect( instant( events[ 0 ]!.start.dateTime ) ).toBe(
				utc( before!.start_utc! )
			);
		}
	} );

	it( 'keeps the link visible with the encounter after check-out', async () => {
		const id = await bookOne( `${ YEAR }-06-01`, '09:30' );
		const link = ( await mapping( id ) )!.url;
		for ( const status of [ 4, 3 ] ) {
			const res = await doctor.rest(
				`${ KC }/appointments/${ id }/status`,
				{ method: 'PUT', body: { status } }
			);
			expect( res.status ).toBe( 200 );
		}
		const view = await doctor.rest( `${ KC }/appointments/${ id }/view` );
		expect( view.body.data ).toMatchObject( {
			video_consultation: true,
			video_url: link,
		} );
		expect( ( await eventsOf( sc, id ) ).map( ( e ) => e.status ) ).toEqual(
			[ 'confirmed' ]
		);
	} );

	it( 'cleans up the Google event of a booking KiviCare rolled back after create_meeting', async () => {
		await wpJson(
			'update_option( "mfk_test_throw_after_create", 1 ); return true;'
		);
		let res;
		try {
			res = await book( patient, {
				appointmentStartDate: `${ YEAR }-07-07`,
				appointmentStartTime: '08:00',
				doctorId: sc.doctor.id,
				patientId: sc.patient.id,
				serviceId: [ sc.mappingId ],
				status: 1,
			} );
		} finally {
			await wpJson(
				'delete_option( "mfk_test_throw_after_create" ); return true;'
			);
		}
		expect( res.status ).toBe( 500 );
		// The event the sidecar made inside the transaction is cancelled; nothing is live.
		const events = ( await calendarEvents( sc.doctorEmail ) ).filter(
			( e ) => e.start.dateTime.startsWith( `${ YEAR }-07-07` )
		);
		expect( events.length ).toBe( 1 );
		expect( events[ 0 ]!.status ).toBe( 'cancelled' );
		const id = Number(
			events[ 0 ]!.extendedProperties!.private!.mfkAppointmentId
		);
		expect( await mapping( id ) ).toMatchObject( {
			state: 'cancelled',
			desired: 'cancelled',
		} );
		expect(
			await wpJson( 'return MFK_Appointments::get( $args["id"] );', {
				id,
			} )
		).toBeNull();
		// Nothing told the rest of the system that a meeting was ready.
		expect(
			( await recordedActions( id ) ).map( ( a ) => a.hook )
		).not.toContain( 'mfk_meeting_ready' );
	} );

	it( 'never creates a second event on double saves', async () => {
		const id = await bookOne( `${ YEAR }-08-08`, '10:00' );
		const { revision } = ( await mapping( id ) )!;
		const body = {
			appointmentStartDate: `${ YEAR }-08-09`,
			appointmentStartTime: '12:00',
		};
		const saves = await Promise.all( [
			doctor.rest( `${ KC }/appointments/${ id }`, {
				method: 'PUT',
				body,
			} ),
			doctor.rest( `${ KC }/appointments/${ id }`, {
				method: 'PUT',
				body,
			} ),
			doctor.rest(
				`${ KC }/appointments/${ id }/regenerate-video-conference`
			),
			doctor.rest(
				`${ KC }/appointments/${ id }/regenerate-video-conference`
			),
		] );
		expect(
			saves.map( ( s ) => s.status ).filter( ( s ) => s >= 500 )
		).toEqual( [] );
		await drainQueue();
		const events = await eventsOf( sc, id );
		expect( events ).toHaveLength( 1 );
		// Each "regenerate" asks for at most one new conference: two when the first had finished
		// before the second was read, one when it was still on its way (that case, held apart,
		// is in regenerate.test.ts), none when a reschedule got there first.
		const row = await mapping( id );
		expect( row ).toMatchObject( { state: 'ready', link_state: 'ready' } );
		expect( row!.revision ).toBeLessThanOrEqual( revision + 2 );
		expect( events[ 0 ]!.hangoutLink ).toBe( row!.url );
		expect( instant( events[ 0 ]!.start.dateTime ) ).toBe(
			utc( `${ YEAR }-08-09 12:00:00` ) - 2 * 3600000
		);
	} );

	it( "moves the meeting to the new doctor's calendar when the appointment changes doctor", async () => {
		const second = await createDoctor( sc.clinicId, {
			firstName: 'Second',
			meta: { kc_standin_session_hours: '00:00-24:00' },
		} );
		const secondEmail = await connectDoctor( second );
		const shared = await createService( {
			name: `Shared video consultation ${ second.id }`,
			doctors: [ sc.doctor.id, second.id ],
			telemed: true,
		} );
		const res = await book( patient, {
			appointmentStartDate: `${ YEAR }-10-10`,
			appointmentStartTime: '10:00',
			doctorId: sc.doctor.id,
			patientId: sc.patient.id,
			serviceId: [ shared.mappingIds[ 0 ]! ],
			status: 1,
		} );
		expect( res.status ).toBe( 201 );
		const id = res.body.data.appointment_id as number;
		expect( ( await mapping( id ) )!.state ).toBe( 'ready' );

		const admin = await login();
		const move = await admin.rest( `${ KC }/appointments/${ id }`, {
			method: 'PUT',
			body: {
				appointmentStartDate: `${ YEAR }-10-10`,
				appointmentStartTime: '10:00',
				doctorId: second.id,
			},
		} );
		expect( move.status ).toBe( 200 );
		const row = await mapping( id );
		expect( row ).toMatchObject( { state: 'ready', doctor_id: second.id } );
		expect( ( await eventsOf( sc, id ) ).map( ( e ) => e.status ) ).toEqual(
			[ 'cancelled' ]
		);
		const moved = ( await calendarEvents( secondEmail ) ).filter(
			( e ) =>
				e.extendedProperties?.private?.mfkAppointmentId === String( id )
		);
		expect( moved.map( ( e ) => e.status ) ).toEqual( [ 'confirmed' ] );
		expect( moved[ 0 ]!.hangoutLink ).toBe( row!.url );
	} );

	it( 'cancels the meeting when a reschedule swaps the service for one without telemedicine', async () => {
		const id = await bookOne( `${ YEAR }-10-20`, '09:00' );
		const plain = await createService( {
			name: `In-person visit ${ id }`,
			doctors: [ sc.doctor.id ],
		} );
		const res = await doctor.rest( `${ KC }/appointments/${ id }`, {
			method: 'PUT',
			body: {
				appointmentStartDate: `${ YEAR }-10-20`,
				appointmentStartTime: '09:00',
				serviceId: [ plain.mappingIds[ 0 ]! ],
			},
		} );
		expect( res.status ).toBe( 200 );
		expect( await mapping( id ) ).toMatchObject( {
			state: 'cancelled',
			desired: 'cancelled',
		} );
		expect( ( await eventsOf( sc, id ) ).map( ( e ) => e.status ) ).toEqual(
			[ 'cancelled' ]
		);
		expect( await listItem( patient, id ) ).toMatchObject( {
			video_consultation: false,
			video_url: '',
		} );
	} );

	it( 'creates the meeting when a pending online payment succeeds', async () => {
		clearMail();
		const res = await book( patient, {
			appointmentStartDate: `${ YEAR }-11-11`,
			appointmentStartTime: '15:00',
			doctorId: sc.doctor.id,
			patientId: sc.patient.id,
			serviceId: [ sc.mappingId ],
			status: 1,
			paymentGateway: 'stripe',
		} );
		expect( res.status ).toBe( 201 );
		const id = res.body.data.appointment_id as number;
		expect( await mapping( id ) ).toBeUndefined(); // No meeting until paid.

		const paid = await patient.rest(
			`${ KC }/appointments/payment-success`,
			{
				method: 'POST',
				body: { appointment_id: id },
			}
		);
		expect( paid.status ).toBe( 200 );
		const row = await mapping( id );
		expect( row ).toMatchObject( {
			state: 'ready',
			link_in_booking_mail: 1,
		} );
		expect( await eventsOf( sc, id ) ).toHaveLength( 1 );
		await runActionScheduler();
		await waitForMail( ( all ) =>
			all.some(
				( m ) =>
					m.to.includes( sc.patient.email ) &&
					( m.html ?? m.text ).includes( row!.url )
			)
		);
	} );

	it( 'tells KiviCare the Google Meet add-on is active and the doctor connected', async () => {
		const config = await doctor.rest( `${ KC }/config` );
		expect( config.body.data.addOns.googlemeet.active ).toBe( true );
		expect( config.body.data.google_meet ).toBe( 'yes' );
		const services = await fetch(
			`${ harness().url }/wp-json/${ KC }/static-data?type=doctor_services&doctor_id=${ sc.doctor.id }&clinic_id=${ sc.clinicId }`
		);
		const body = ( await services.json() ) as {
			data: Array< { id: number } >;
		};
		expect( body.data.map( ( s ) => Number( s.id ) ) ).toContain(
			sc.mappingId
		);
		const token = await wpJson(
			`$p = new \\KCGMApp\\providers\\KCGMGoogleMeet( 'mfk_provider_config' );
			return array( $p->get_doctor_access_token( $args['id'] ), $p->get_doctor_access_token( 999999 ) );`,
			{ id: sc.doctor.id }
		);
		expect( token ).toEqual( [ 'mfk-connected', null ] );
	} );

	it( 'left no PHP warnings in the debug log', () => {
		expect( phpProblems() ).toEqual( [] );
	} );
} );
