/**
 * A backfill of several appointments of one doctor, through WordPress (plugin → queue →
 * sidecar's /v1/batch → emulator): the sidecar sends their creations to Google in batch
 * requests, and each appointment gets exactly one event and its link.
 */
import {
	clearMail,
	harness,
	login,
	phpProblems,
	query,
	readMail,
	waitForMail,
	wpEval,
	type StoredMail,
} from '../harness/testkit';
import { book } from '../kivicare-stand-in/test-support/standin';
import {
	calendarEvents,
	configureMeet,
	drainQueue,
	emulatorCounters,
	freshDate,
	mapping,
	MAPPINGS,
	parkPendingRows,
	setBackgroundSync,
	setSettings,
	telemedScenario,
	type Scenario,
} from './support/meet';

let sc: Scenario;

beforeAll( async () => {
	await configureMeet( { sync_budget_ms: 3000 } );
	await setBackgroundSync( false );
	sc = await telemedScenario();
}, 120000 );

afterEach( () => {
	expect( phpProblems() ).toEqual( [] );
} );

afterAll( async () => {
	await setBackgroundSync( true );
	await setSettings( { sync_budget_ms: 3000 } );
} );

/** Batch requests the sidecar sent to Google, from its metrics (scraped from this machine). */
async function batchRequests(): Promise< number > {
	const text = await (
		await fetch( `${ harness().sidecarUrl }/metrics` )
	).text();
	let total = 0;
	for ( const m of text.matchAll(
		/^mfk_google_calls_total\{([^}]*)\}\s+(\d+)/gm
	) ) {
		if ( /method="batch"/.test( m[ 1 ] ?? '' ) ) {
			total += Number( m[ 2 ] );
		}
	}
	return total;
}

/**
 * Appointments booked "before the plugin was set up": booked through KiviCare, then their
 * meeting rows removed, so nothing was sent to Google and nothing is recorded.
 */
async function bookedBeforeSetup(
	times: string[],
	date: () => string
): Promise< number[] > {
	const patient = await login( sc.patient );
	await setSettings( { sync_budget_ms: 0 } );
	const ids: number[] = [];
	for ( const time of times ) {
		const res = await book( patient, {
			appointmentStartDate: date(),
			appointmentStartTime: time,
			doctorId: sc.doctor.id,
			patientId: sc.patient.id,
			serviceId: [ sc.mappingId ],
			status: 1,
		} );
		expect( res.status ).toBe( 201 );
		ids.push( res.body.data.appointment_id as number );
	}
	await setSettings( { sync_budget_ms: 3000 } );
	await query(
		`DELETE FROM ${ MAPPINGS } WHERE appointment_id IN (${ ids
			.map( () => '?' )
			.join( ', ' ) })`,
		ids
	);
	await parkPendingRows();
	return ids;
}

it( 'a backfill of one doctor goes to Google in batch requests: N links, no duplicates', async () => {
	const ids = await bookedBeforeSetup(
		[ '09:00', '10:00', '11:00', '12:00', '13:00' ],
		freshDate
	);

	const batchesBefore = await batchRequests();
	const before = await emulatorCounters();
	await wpEval(
		`foreach ( $args['ids'] as $id ) { $done = MFK_Backfill::record( (int) $id ); if ( is_wp_error( $done ) ) { throw new Exception( $done->get_error_message() ); } } echo 'ok';`,
		{ ids }
	);
	await drainQueue();
	const after = await emulatorCounters();

	expect( ( await batchRequests() ) - batchesBefore ).toBeGreaterThanOrEqual(
		1
	);
	// One insert per appointment, none sent twice.
	expect(
		( after[ 'events.insert' ] ?? 0 ) - ( before[ 'events.insert' ] ?? 0 )
	).toBe( ids.length );
	const events = await calendarEvents( sc.doctorEmail );
	for ( const id of ids ) {
		const row = await mapping( id );
		expect( row ).toMatchObject( { state: 'ready', desired: 'active' } );
		expect( String( row?.url ?? '' ) ).toMatch(
			/^https:\/\/meet\.google\.com\//
		);
		expect(
			events.filter(
				( e ) =>
					e.extendedProperties?.private?.mfkAppointmentId ===
					String( id )
			)
		).toHaveLength( 1 );
	}
}, 180000 );

it( "a backfill batch: each appointment's KiviCare Meet e-mails carry its own link and time, once; one deleted meanwhile is cancelled", async () => {
	const date = freshDate();
	const times = [ '09:00', '10:00', '11:00', '12:00' ];
	const ids = await bookedBeforeSetup( times, () => date );
	await wpEval(
		`foreach ( $args['ids'] as $id ) { $done = MFK_Backfill::record( (int) $id ); if ( is_wp_error( $done ) ) { throw new Exception( $done->get_error_message() ); } } echo 'ok';`,
		{ ids }
	);
	// The last one is deleted from KiviCare's table without KiviCare telling the plugin.
	const gone = ids[ ids.length - 1 ]!;
	await query( 'DELETE FROM wp_kc_appointments WHERE id = ?', [ gone ] );
	clearMail();

	await drainQueue();

	expect( await mapping( gone ) ).toMatchObject( {
		state: 'cancelled',
		desired: 'cancelled',
	} );
	const html = ( m: StoredMail ) => m.html ?? m.text;
	const links = ( m: StoredMail ): string[] =>
		html( m ).match( /https:\/\/meet\.google\.com\/[a-z0-9-]+/g ) ?? [];
	// Patient and doctor of each of the three, nothing more (none for the deleted one).
	const withLink = ( all: StoredMail[] ) =>
		all.filter( ( m ) => links( m ).length > 0 );
	await waitForMail( ( all ) => withLink( all ).length >= 6, {
		timeoutMs: 30000,
	} );
	const mail = readMail();
	expect( withLink( mail ) ).toHaveLength( 2 * ( ids.length - 1 ) );
	for ( const [ i, id ] of ids.slice( 0, -1 ).entries() ) {
		const row = await mapping( id );
		expect( row ).toMatchObject( { state: 'ready' } );
		const url = String( row?.url );
		for ( const address of [ sc.patient.email, sc.doctor.email ] ) {
			const own = mail.filter(
				( m ) => m.to.includes( address ) && links( m ).includes( url )
			);
			expect( own ).toHaveLength( 1 );
			// Its own link only, and its own time.
			expect( new Set( links( own[ 0 ]! ) ) ).toEqual(
				new Set( [ url ] )
			);
			expect( html( own[ 0 ]! ) ).toContain( times[ i ]! );
		}
	}
}, 180000 );
