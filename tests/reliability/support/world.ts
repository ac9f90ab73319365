/**
 * A small clinic for the reliability suite: doctors connected to Google through the emulator's
 * consent page, patients, one telemedicine service per doctor, and KiviCare operations
 * (book, reschedule, cancel, re-book, delete) through the stand-in's real REST API. Every
 * appointment made here is remembered, so a scenario can reconcile exactly what it touched.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
	createUser,
	ensureTestInstance,
	harness,
	INSTANCE_NAME,
	isRunning,
	login,
	query,
	wpJson,
	type Session,
	type TestUser,
} from '../../harness/testkit';
import {
	admin as adminSession,
	book,
	createDoctor,
	createPatient,
	createService,
	ensureClinic,
	KC,
} from '../../kivicare-stand-in/test-support/standin';
import { configureMeet, connectDoctor } from '../../integration/support/meet';
import { ARTIFACTS, track } from '../../security/support/collect';

export interface Doctor {
	user: TestUser;
	/** Google account e-mail = id of the doctor's primary calendar at the emulator. */
	email: string;
	/** The doctor's telemedicine service (KiviCare service-doctor mapping id). */
	serviceMappingId: number;
	/** Next free hourly slot of this doctor (see slotOf()). */
	nextSlot: number;
}

export interface World {
	siteId: string;
	clinicId: number;
	doctors: Doctor[];
	patients: TestUser[];
	/** Administrator session used for KiviCare operations. */
	admin: Session;
	/** Every appointment id made through this world, in order. */
	appointments: number[];
	/** Doctor of each appointment (changes when an operation moves it). */
	doctorOf: Map< number, Doctor >;
	/** KiviCare operations sent (bookings, reschedules, status changes, deletions). */
	operations: number;
}

/** Site id the plugin derives event ids from (extendedProperties.private.mfkSiteId). */
export function siteId(): Promise< string > {
	return wpJson< string >( 'return MFK_Site::id();' );
}

interface SavedWorld {
	siteId: string;
	clinicId: number;
	doctors: Array< Omit< Doctor, 'nextSlot' > >;
	patients: TestUser[];
}

function cacheFile( key: string ): string {
	return path.join(
		ARTIFACTS,
		'reliability',
		`world-${ INSTANCE_NAME }-${ key }.json`
	);
}

/**
 * A world saved by an earlier test file is reused when WordPress still has its doctors
 * connected and the emulator still knows their grants (it forgets everything on restart).
 */
async function reusable( saved: SavedWorld ): Promise< boolean > {
	if ( saved.siteId !== ( await siteId() ) ) {
		return false;
	}
	const statuses = await wpJson< string[] >(
		'return array_map( static fn( $id ) => get_userdata( $id ) ? MFK_Doctor_Connection::get( $id )["status"] : "gone", $args );',
		saved.doctors.map( ( d ) => d.user.id )
	);
	if ( statuses.some( ( st ) => st !== 'active' ) ) {
		return false;
	}
	const res = await fetch( `${ harness().emulatorUrl }/__emulator/tokens` );
	const { tokens } = ( await res.json() ) as {
		tokens: Array< { type: string; email: string; valid: boolean } >;
	};
	return saved.doctors.every( ( d ) =>
		tokens.some(
			( t ) =>
				t.type === 'refresh' &&
				t.valid &&
				t.email === d.email.toLowerCase()
		)
	);
}

/** Next free slot of each doctor, from the latest appointment they have. */
async function nextSlots(
	doctors: number[]
): Promise< Map< number, number > > {
	const rows = await query< { doctor_id: number; last: string } >(
		`SELECT doctor_id, MAX(appointment_start_date) AS last FROM wp_kc_appointments WHERE doctor_id IN (${ doctors.join( ',' ) }) GROUP BY doctor_id`
	);
	const first = Date.parse( slotOf( 0 ).date );
	return new Map(
		rows.map( ( r ) => [
			Number( r.doctor_id ),
			Math.max(
				0,
				Math.round( ( Date.parse( r.last ) - first ) / 86400000 ) + 2
			),
		] )
	);
}

/**
 * Sets the plugin up against the emulator and provides `doctors` connected doctors with a
 * telemedicine service each, and `patients` patients: the ones an earlier test file made under
 * the same `key` when they still work (connecting a doctor costs seconds), else new ones.
 */
export async function createWorld( {
	key = 'default',
	doctors = 2,
	patients = 2,
	syncBudgetMs = 3000,
}: {
	key?: string;
	doctors?: number;
	patients?: number;
	syncBudgetMs?: number;
} = {} ): Promise< World > {
	if ( ! isRunning( 'wordpress' ) ) {
		// An earlier file left PHP's web server stopped (the per-file setup restarts the
		// sidecar, the emulator and MariaDB only).
		await ensureTestInstance();
	}
	await configureMeet( { sync_budget_ms: syncBudgetMs } );
	let saved: SavedWorld | undefined;
	try {
		saved = JSON.parse(
			readFileSync( cacheFile( key ), 'utf8' )
		) as SavedWorld;
	} catch {
		saved = undefined;
	}
	if (
		! saved ||
		saved.doctors.length !== doctors ||
		saved.patients.length !== patients ||
		! ( await reusable( saved ) )
	) {
		saved = await buildWorld( doctors, patients );
		mkdirSync( path.dirname( cacheFile( key ) ), { recursive: true } );
		writeFileSync(
			cacheFile( key ),
			JSON.stringify( saved, null, '\t' ) + '\n'
		);
	}
	const slots = await nextSlots( saved.doctors.map( ( d ) => d.user.id ) );
	return {
		siteId: saved.siteId,
		clinicId: saved.clinicId,
		doctors: saved.doctors.map( ( d ) => ( {
			...d,
			nextSlot: slots.get( d.user.id ) ?? 0,
		} ) ),
		patients: saved.patients,
		admin: track( await adminSession() ),
		appointments: [],
		doctorOf: new Map(),
		operations: 0,
	};
}

async function buildWorld(
	doctors: number,
	patients: number
): Promise< SavedWorld > {
	const { clinicId } = await ensureClinic();
	const made: SavedWorld[ 'doctors' ] = [];
	for ( let i = 0; i < doctors; i++ ) {
		const user = await createDoctor( clinicId, {
			meta: { kc_standin_session_hours: '00:00-24:00' },
			firstName: `Rel${ i }`,
		} );
		const service = await createService( {
			name: `Video consultation ${ user.id }`,
			doctors: [ user.id ],
			telemed: true,
			duration: 30,
		} );
		made.push( {
			user,
			email: await connectDoctor( user ),
			serviceMappingId: service.mappingIds[ 0 ]!,
		} );
	}
	const people: TestUser[] = [];
	for ( let i = 0; i < patients; i++ ) {
		people.push( await createPatient( `RelPatient${ i }` ) );
	}
	return {
		siteId: await siteId(),
		clinicId,
		doctors: made,
		patients: people,
	};
}

/** Another user logged in (tracked for the secrets scan). */
export async function session( user: TestUser ): Promise< Session > {
	return track( await login( user ) );
}

export { createUser };

// Appointments start this many days ahead (far enough that none of them is ever in the past).
const BASE_DAYS = 400;

/**
 * Date and time of a doctor's n-th slot: one a day at noon in the appointment's own zone, so
 * slots of one doctor never overlap whatever zones they are booked in.
 */
export function slotOf( n: number ): { date: string; time: string } {
	const date = new Date( Date.now() + ( BASE_DAYS + n ) * 86400000 )
		.toISOString()
		.slice( 0, 10 );
	return { date, time: '12:00' };
}

/** Zones appointments are booked in (site zone is UTC): whole, half-hour and DST zones. */
export const ZONES = [
	'UTC',
	'Europe/Berlin',
	'America/New_York',
	'Asia/Kolkata',
] as const;

export interface KcAnswer {
	status: number;
	body: any;
}

function expectOk( what: string, res: KcAnswer ): void {
	if ( res.status >= 300 ) {
		throw new Error(
			`${ what }: HTTP ${ res.status } ${ JSON.stringify( res.body ).slice( 0, 400 ) }`
		);
	}
}

/** Books the doctor's next free slot for a patient; resolves with the appointment id. */
export async function bookOne(
	world: World,
	doctor: Doctor,
	patient: TestUser,
	zone: string = 'UTC'
): Promise< number > {
	const slot = slotOf( doctor.nextSlot++ );
	world.operations++;
	const res = await book( world.admin, {
		appointmentStartDate: slot.date,
		appointmentStartTime: slot.time,
		doctorId: doctor.user.id,
		patientId: patient.id,
		serviceId: [ doctor.serviceMappingId ],
		status: 1,
		timezone: zone,
	} );
	expectOk( 'book', res );
	const id = res.body.data.appointment_id as number;
	world.appointments.push( id );
	world.doctorOf.set( id, doctor );
	return id;
}

/** Moves an appointment to its doctor's next free slot. */
export async function reschedule(
	world: World,
	id: number,
	zone?: string
): Promise< KcAnswer > {
	const doctor = world.doctorOf.get( id )!;
	const slot = slotOf( doctor.nextSlot++ );
	world.operations++;
	const res = await world.admin.rest( `${ KC }/appointments/${ id }`, {
		method: 'PUT',
		body: {
			appointmentStartDate: slot.date,
			appointmentStartTime: slot.time,
			...( zone ? { timezone: zone } : {} ),
		},
	} );
	expectOk( 'reschedule', res );
	return res;
}

/** KiviCare status change: 0 cancels, 1 books again. */
export async function setStatus(
	world: World,
	id: number,
	status: 0 | 1
): Promise< KcAnswer > {
	world.operations++;
	const res = await world.admin.rest( `${ KC }/appointments/${ id }/status`, {
		method: 'PUT',
		body: { status },
	} );
	expectOk( 'status', res );
	return res;
}

/** Deletes an appointment in KiviCare. */
export async function remove( world: World, id: number ): Promise< KcAnswer > {
	world.operations++;
	const res = await world.admin.rest( `${ KC }/appointments/${ id }`, {
		method: 'DELETE',
	} );
	expectOk( 'delete', res );
	return res;
}

/** Sets plugin settings (no secret involved). */
export function settings(
	values: Record< string, unknown >
): Promise< unknown > {
	return wpJson(
		`$r = MFK_Settings::update( $args );
		if ( is_wp_error( $r ) ) { throw new RuntimeException( $r->get_error_message() ); }
		return true;`,
		values
	);
}
