/**
 * Google misbehaving while a clinic books, reschedules and cancels: 5xx bursts, rate limits
 * (429 and 403 rateLimitExceeded, and the emulator's real per-user limit), timeouts and lost
 * answers, conferences Google finishes late or never, quotaExceeded, invalid_grant, and events
 * deleted by hand in Google Calendar. Each scenario ends by reconciling WordPress against the
 * emulator's calendars: one live event per meeting with the link WordPress shows, none for
 * cancelled appointments, no duplicate, nothing lost.
 */
import { harness, query, wpJson } from '../harness/testkit';
import {
	connectDoctor,
	MAPPINGS,
	revokeGoogleAccount,
} from '../integration/support/meet';
import { counters, emulatorConfig, emulatorDefaults } from './support/faults';
import { logMark, problemsSince } from './support/log';
import { settle } from './support/queue';
import { eventsByAppointment } from './support/reconcile';
import { expectReconciled, Scenario } from './support/scenario';
import { restoreSidecar, tuneSidecar } from './support/sidecar';
import {
	bookOne,
	createWorld,
	reschedule,
	setStatus,
	settings,
	ZONES,
	type World,
} from './support/world';

const GROUP = 'Google';
let world: World;
let mark = 0;

/** Answers of some status the emulator gave for operations matching a prefix. */
async function answered( prefix: string, codes: string[] ): Promise< number > {
	const res = await fetch( `${ harness().emulatorUrl }/__emulator/counters` );
	const body = ( await res.json() ) as {
		statuses: Record< string, Record< string, number > >;
	};
	let n = 0;
	for ( const [ op, byStatus ] of Object.entries( body.statuses ) ) {
		if ( op.startsWith( prefix ) ) {
			for ( const code of codes ) {
				n += byStatus[ code ] ?? 0;
			}
		}
	}
	return n;
}

beforeAll( async () => {
	mark = logMark();
	await emulatorDefaults();
	await tuneSidecar();
	world = await createWorld( {
		doctors: 3,
		patients: 2,
		syncBudgetMs: 2000,
	} );
}, 120000 );

afterAll( async () => {
	await emulatorDefaults();
	await settings( { sync_budget_ms: 3000 } );
	await restoreSidecar();
} );

afterEach( async () => {
	await emulatorDefaults();
	await settings( { sync_budget_ms: 2000 } );
} );

function doctor( i: number ) {
	return world.doctors[ i % world.doctors.length ]!;
}
function patient( i: number ) {
	return world.patients[ i % world.patients.length ]!;
}

it( 'survives bursts of 5xx answers, including ones after Google did the work', async () => {
	const s = new Scenario(
		'google-5xx',
		GROUP,
		'Google 5xx bursts (500/502/503, some after the write)',
		world
	);
	await s.faults.add( {
		match: { operation: 'events.insert' },
		action: { type: 'error', status: 503, reason: 'backendError' },
		times: 8,
	} );
	await s.faults.add( {
		match: { operation: 'events.insert' },
		action: { type: 'error', status: 503, reason: 'backendError' },
		times: 3,
		when: 'after',
	} );
	await s.faults.add( {
		match: { operation: 'events.patch' },
		action: { type: 'error', status: 500, reason: 'backendError' },
		times: 4,
	} );
	await s.faults.add( {
		match: { operation: 'events.get' },
		action: { type: 'error', status: 502 },
		times: 3,
	} );
	await s.faults.add( {
		match: { operation: 'events.delete' },
		action: { type: 'error', status: 503 },
		times: 2,
		when: 'after',
	} );
	for ( let i = 0; i < 8; i++ ) {
		s.add(
			await bookOne(
				world,
				doctor( i ),
				patient( i ),
				ZONES[ i % ZONES.length ]
			)
		);
	}
	for ( const id of s.ids.slice( 0, 3 ) ) {
		await reschedule( world, id );
	}
	for ( const id of s.ids.slice( 3, 5 ) ) {
		await setStatus( world, id, 0 );
	}
	await settle( s.ids );
	expectReconciled(
		await s.conclude(
			'The sidecar retries within its budget; what is left goes to the queue. Answers lost after the write are adopted (409) on the next try.'
		)
	);
}, 120000 );

it( 'follows rate limits: 429, 403 rateLimitExceeded/userRateLimitExceeded and a real per-user limit', async () => {
	const s = new Scenario(
		'google-rate-limits',
		GROUP,
		'Rate limits: 429 and 403 rate-limit bursts, then a backlog under a per-user limit of 60/min',
		world
	);
	await s.faults.add( {
		match: { operation: 'events.*' },
		action: {
			type: 'error',
			status: 429,
			reason: 'rateLimitExceeded',
			retryAfterSeconds: 1,
		},
		times: 6,
	} );
	await s.faults.add( {
		match: { operation: 'events.insert' },
		action: { type: 'error', status: 403, reason: 'userRateLimitExceeded' },
		times: 4,
	} );
	await s.faults.add( {
		match: { operation: 'events.patch' },
		action: { type: 'error', status: 403, reason: 'rateLimitExceeded' },
		times: 3,
	} );
	for ( let i = 0; i < 5; i++ ) {
		s.add( await bookOne( world, doctor( i ), patient( i ) ) );
	}
	for ( const id of s.ids.slice( 0, 2 ) ) {
		await reschedule( world, id );
	}
	await settle( s.ids );

	// A backlog of one doctor's meetings against Google's per-user limit (one call a second):
	// the sidecar paces the account by Google's answers and the backlog drains at that speed.
	await settings( { sync_budget_ms: 0 } );
	const backlog: number[] = [];
	for ( let i = 0; i < 4; i++ ) {
		backlog.push( await bookOne( world, doctor( 0 ), patient( i ) ) );
	}
	s.add( ...backlog );
	const limitedBefore = await answered( 'events.', [ '403', '429' ] );
	await emulatorConfig( { rateLimits: { perUserPerMinute: 60 } } );
	await settle( s.ids );
	const limited =
		( await answered( 'events.', [ '403', '429' ] ) ) - limitedBefore;
	s.faults.note( limited );
	await emulatorConfig( { rateLimits: { perUserPerMinute: null } } );
	expectReconciled(
		await s.conclude(
			`Bursts are retried with Retry-After honoured; under the per-user limit Google refused ${ limited } call(s) of the backlog, which drained at the pace the limit allows.`
		)
	);
}, 120000 );

it( 'survives timeouts and answers lost on the way back', async () => {
	const s = new Scenario(
		'google-timeouts',
		GROUP,
		'Timeouts: requests that hang, answers dropped after the write, answers slower than the booking budget',
		world
	);
	await s.faults.add( {
		match: { operation: 'events.insert' },
		action: { type: 'hang' },
		times: 1,
	} );
	await s.faults.add( {
		match: { operation: 'events.insert' },
		action: { type: 'hang' },
		times: 2,
		when: 'after',
	} );
	await s.faults.add( {
		match: { operation: 'events.insert' },
		action: { type: 'drop' },
		times: 2,
		when: 'after',
	} );
	await s.faults.add( {
		match: { operation: 'events.patch' },
		action: { type: 'drop' },
		times: 2,
		when: 'after',
	} );
	await s.faults.add( {
		match: { operation: 'events.insert' },
		action: { type: 'delay', ms: 2500 },
		times: 1,
		when: 'after',
	} );
	for ( let i = 0; i < 6; i++ ) {
		s.add(
			await bookOne(
				world,
				doctor( i ),
				patient( i ),
				ZONES[ i % ZONES.length ]
			)
		);
	}
	for ( const id of s.ids.slice( 0, 3 ) ) {
		await reschedule( world, id );
	}
	await settle( s.ids );
	expectReconciled(
		await s.conclude(
			'Per-attempt timeout 1.5 s in the sidecar; an event created by a timed-out insert is adopted, not duplicated.'
		)
	);
}, 120000 );

it( 'picks up conferences Google finishes late', async () => {
	const s = new Scenario(
		'google-late-conference',
		GROUP,
		'Meet conferences pending for 1.5 s (longer than the 1 s booking budget)',
		world
	);
	await settings( { sync_budget_ms: 1000 } );
	await emulatorConfig( { conferenceDelayMs: 1500 } );
	for ( let i = 0; i < 6; i++ ) {
		s.add( await bookOne( world, doctor( i ), patient( i ) ) );
	}
	const pending = await query< { n: number } >(
		`SELECT COUNT(*) AS n FROM ${ MAPPINGS } WHERE state = 'pending' AND appointment_id IN (${ s.ids.join( ',' ) })`
	);
	s.faults.note( Number( pending[ 0 ]!.n ) );
	expect( Number( pending[ 0 ]!.n ) ).toBeGreaterThan( 0 );
	await settle( s.ids );
	expectReconciled(
		await s.conclude(
			'Bookings return with the meeting pending; the queue polls the event until Google reports the conference.'
		)
	);
}, 120000 );

it( 'retries failed conferences with new revisions, reports them, and makes them on a retry once Google recovers', async () => {
	const s = new Scenario(
		'google-conference-failure',
		GROUP,
		'Meet conference creation failing for one doctor, then a staff retry',
		world
	);
	const failing = doctor( 0 );
	await emulatorConfig( {
		calendarConferenceOutcomes: {
			[ failing.email.toLowerCase() ]: 'failure',
		},
	} );
	const bad: number[] = [];
	for ( let i = 0; i < 4; i++ ) {
		bad.push( await bookOne( world, failing, patient( i ) ) );
	}
	s.add( ...bad );
	for ( let i = 1; i < 3; i++ ) {
		s.add( await bookOne( world, doctor( i ), patient( i ) ) );
	}
	await settle( s.ids );
	const failed = await query< {
		state: string;
		last_error_code: string;
		revision: number;
	} >(
		`SELECT state, last_error_code, revision FROM ${ MAPPINGS } WHERE appointment_id IN (${ bad.join( ',' ) })`
	);
	expect(
		failed.map( ( r ) => [
			r.state,
			r.last_error_code,
			Number( r.revision ),
		] )
	).toEqual( bad.map( () => [ 'failed', 'conference_failed', 2 ] ) );
	s.faults.note(
		failed.reduce( ( n, r ) => n + Number( r.revision ) + 1, 0 )
	);
	// Still one event per appointment while it failed.
	const events = await eventsByAppointment( world );
	for ( const id of bad ) {
		expect(
			( events.get( id ) ?? [] ).filter(
				( e ) => e.status !== 'cancelled'
			)
		).toHaveLength( 1 );
	}

	await emulatorConfig( { calendarConferenceOutcomes: {} } );
	for ( const id of bad ) {
		const res = await world.admin.rest(
			`meet-for-kivicare/v1/appointments/${ id }/meeting/retry`,
			{ method: 'POST' }
		);
		expect( res.status ).toBe( 200 );
		s.extraOperations++;
	}
	await settle( s.ids );
	expectReconciled(
		await s.conclude(
			'Three revisions, then failed (conference_failed) and shown to staff; a retry asks for a fresh conference on the same event.'
		)
	);
}, 120000 );

it( 'stops on quotaExceeded without hammering, and finishes after a retry once the quota is back', async () => {
	const s = new Scenario(
		'google-quota',
		GROUP,
		'quotaExceeded for one doctor’s account, then a staff retry',
		world
	);
	const throttled = doctor( 2 );
	await s.faults.add( {
		match: { operation: 'events.insert', account: throttled.email },
		action: {
			type: 'error',
			status: 403,
			reason: 'quotaExceeded',
			message: 'Calendar usage limits exceeded.',
		},
		times: 0,
	} );
	const hit: number[] = [];
	for ( let i = 0; i < 4; i++ ) {
		hit.push( await bookOne( world, throttled, patient( i ) ) );
	}
	s.add( ...hit );
	for ( let i = 0; i < 2; i++ ) {
		s.add( await bookOne( world, doctor( i ), patient( i ) ) );
	}
	await settle( s.ids );
	const rows = await query< { state: string; last_error_code: string } >(
		`SELECT state, last_error_code FROM ${ MAPPINGS } WHERE appointment_id IN (${ hit.join( ',' ) })`
	);
	expect( rows.map( ( r ) => [ r.state, r.last_error_code ] ) ).toEqual(
		hit.map( () => [ 'failed', 'quota_exceeded' ] )
	);
	const insertsBefore = ( await counters() )[ 'events.insert' ] ?? 0;
	await settle( s.ids ); // Nothing is retried by itself while the quota is out.
	expect( ( await counters() )[ 'events.insert' ] ?? 0 ).toBe(
		insertsBefore
	);

	await s.faults.clear();
	for ( const id of hit ) {
		const res = await world.admin.rest(
			`meet-for-kivicare/v1/appointments/${ id }/meeting/retry`,
			{ method: 'POST' }
		);
		expect( res.status ).toBe( 200 );
		s.extraOperations++;
	}
	await settle( s.ids );
	expectReconciled(
		await s.conclude(
			'quota_exceeded is final (no retry storm); a retry after the quota resets makes the links.'
		)
	);
}, 120000 );

it( 'fails fast on invalid_grant, flags the doctor, and replays everything once they reconnect', async () => {
	const s = new Scenario(
		'google-invalid-grant',
		GROUP,
		'invalid_grant (access revoked in the Google account), then the doctor reconnects',
		world
	);
	const revoked = doctor( 1 );
	const before = await bookOne( world, revoked, patient( 0 ) );
	const other = await bookOne( world, doctor( 0 ), patient( 1 ) );
	s.add( before, other );
	await revokeGoogleAccount( revoked.email );
	s.faults.note();
	const after: number[] = [];
	for ( let i = 0; i < 3; i++ ) {
		after.push( await bookOne( world, revoked, patient( i ) ) );
	}
	s.add( ...after );
	await reschedule( world, before );
	s.add( await bookOne( world, doctor( 2 ), patient( 0 ) ) );
	await settle( s.ids );
	const rows = await query< { state: string; last_error_code: string } >(
		`SELECT state, last_error_code FROM ${ MAPPINGS } WHERE appointment_id IN (${ [ before, ...after ].join( ',' ) })`
	);
	expect( rows.map( ( r ) => [ r.state, r.last_error_code ] ) ).toEqual(
		[ before, ...after ].map( () => [ 'failed', 'token_revoked' ] )
	);
	expect(
		await wpJson(
			'return MFK_Doctor_Connection::get( $args["id"] )["status"];',
			{ id: revoked.user.id }
		)
	).toBe( 'reconnect_needed' );

	await connectDoctor( revoked.user, revoked.email );
	s.extraOperations++;
	await settle( s.ids );
	expectReconciled(
		await s.conclude(
			'The first refusal marks the doctor "reconnect needed"; later bookings fail without calling Google; reconnecting replays every one of them.'
		)
	);
}, 120000 );

it( 'restores events deleted by hand in Google Calendar at the next change or retry', async () => {
	const s = new Scenario(
		'google-deleted-by-hand',
		GROUP,
		'Events deleted by hand in Google Calendar (kept as cancelled, or purged)',
		world
	);
	for ( let i = 0; i < 6; i++ ) {
		s.add( await bookOne( world, doctor( i ), patient( i ) ) );
	}
	await settle( s.ids );
	const events = await eventsByAppointment( world );
	const del = async ( id: number, purge: boolean ) => {
		const ev = events.get( id )![ 0 ]!;
		const res = await fetch(
			`${ harness().emulatorUrl }/__emulator/calendars/${ encodeURIComponent( ev.calendar ) }/events/${ ev.id }${ purge ? '?purge=true' : '' }`,
			{ method: 'DELETE' }
		);
		expect( res.status ).toBe( 200 );
		s.faults.note();
	};
	const [ a, b, c, d, e, f ] = s.ids as [
		number,
		number,
		number,
		number,
		number,
		number,
	];
	await del( a, false );
	await del( b, true );
	await del( c, false );
	await del( d, true );
	// The clinic moves two of them, and presses "retry" on the two others; e and f stay as they are.
	await reschedule( world, a );
	await reschedule( world, b );
	for ( const id of [ c, d ] ) {
		const res = await world.admin.rest(
			`meet-for-kivicare/v1/appointments/${ id }/meeting/retry`,
			{ method: 'POST' }
		);
		expect( res.status ).toBe( 200 );
		s.extraOperations++;
	}
	expect( [ e, f ] ).toHaveLength( 2 );
	await settle( s.ids );
	expectReconciled(
		await s.conclude(
			'The plugin does not watch Google for deletions: a deleted event comes back (restored, or created again with a new link) at the next reschedule, retry or "regenerate".'
		)
	);
}, 120000 );

it( 'left no PHP warning and no database error in the debug log', () => {
	expect( problemsSince( mark ) ).toEqual( [] );
} );
