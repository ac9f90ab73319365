/**
 * The people of the security suite, with logged-in sessions: an administrator, two doctors of
 * clinic A (connected to Google), a patient with a booked telemedicine appointment and another
 * patient, a receptionist and a clinic admin of clinic A, and the same two roles of clinic B.
 * The appointment (doctor 1, patient 1, clinic A) has a ready Meet link.
 */
import {
	createUser,
	login,
	query,
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
} from '../../kivicare-stand-in/test-support/standin';
import {
	configureMeet,
	connectDoctor,
	mapping,
} from '../../integration/support/meet';
import { track } from './collect';

export const ACTORS = [
	'anonymous',
	'patient',
	'otherPatient',
	'doctor',
	'otherDoctor',
	'receptionist',
	'foreignReceptionist',
	'clinicAdmin',
	'foreignClinicAdmin',
	'admin',
] as const;
export type Actor = ( typeof ACTORS )[ number ];

/** How each actor is described in docs/SECURITY.md. */
export const ACTOR_LABELS: Record< Actor, string > = {
	anonymous: 'anonymous',
	patient: 'patient (own appointment)',
	otherPatient: 'patient (other’s appointment)',
	doctor: 'doctor (own appointment)',
	otherDoctor: 'doctor (other doctor’s appointment)',
	receptionist: 'receptionist (own clinic)',
	foreignReceptionist: 'receptionist (other clinic)',
	clinicAdmin: 'clinic admin (own clinic)',
	foreignClinicAdmin: 'clinic admin (other clinic)',
	admin: 'administrator',
};

export interface Cast {
	clinicId: number;
	foreignClinicId: number;
	appointmentId: number;
	meetUrl: string;
	users: Record< Exclude< Actor, 'anonymous' >, TestUser >;
	sessions: Record< Actor, Session | null >;
	doctorEmail: string;
	otherDoctorEmail: string;
}

function dayAhead( days: number ): string {
	return new Date( Date.now() + days * 86400000 )
		.toISOString()
		.slice( 0, 10 );
}

/** A second clinic, run by its own clinic admin. */
async function foreignClinic( clinicAdmin: TestUser ): Promise< number > {
	await query(
		"INSERT INTO wp_kc_clinics (name, email, status, clinic_admin_id, created_at) VALUES ('Other Clinic', 'other@clinic.test', 1, ?, NOW())",
		[ clinicAdmin.id ]
	);
	const rows = await query< { id: number } >(
		'SELECT id FROM wp_kc_clinics WHERE clinic_admin_id = ? ORDER BY id DESC LIMIT 1',
		[ clinicAdmin.id ]
	);
	return Number( rows[ 0 ]!.id );
}

async function receptionistOf( clinicId: number ): Promise< TestUser > {
	const user = await createUser( 'kiviCare_receptionist' );
	await query(
		'INSERT INTO wp_kc_receptionist_clinic_mappings (receptionist_id, clinic_id, created_at) VALUES (?, ?, NOW())',
		[ user.id, clinicId ]
	);
	return user;
}

export async function createCast(): Promise< Cast > {
	await configureMeet( { sync_budget_ms: 5000 } );
	const { clinicId, clinicAdmin } = await ensureClinic();
	const doctor = await createDoctor( clinicId, {
		meta: { kc_standin_session_hours: '00:00-24:00' },
	} );
	const otherDoctor = await createDoctor( clinicId, {
		meta: { kc_standin_session_hours: '00:00-24:00' },
	} );
	const service = await createService( {
		name: `Video consultation ${ doctor.id }`,
		doctors: [ doctor.id ],
		telemed: true,
	} );
	const doctorEmail = await connectDoctor( doctor );
	const otherDoctorEmail = await connectDoctor( otherDoctor );
	const patient = await createPatient();
	const foreignClinicAdmin = await createUser( 'kiviCare_clinic_admin' );
	const foreignClinicId = await foreignClinic( foreignClinicAdmin );
	const users = {
		patient,
		otherPatient: await createPatient(),
		doctor,
		otherDoctor,
		receptionist: await receptionistOf( clinicId ),
		foreignReceptionist: await receptionistOf( foreignClinicId ),
		clinicAdmin,
		foreignClinicAdmin,
		admin: {
			id: 1,
			login: 'admin',
			password: '',
			email: '',
			role: 'administrator',
		},
	};
	const sessions = { anonymous: null } as Record< Actor, Session | null >;
	for ( const [ actor, user ] of Object.entries( users ) ) {
		sessions[ actor as Actor ] = track(
			actor === 'admin' ? await adminSession() : await login( user )
		);
	}
	const booked = await book( sessions.patient!, {
		appointmentStartDate: dayAhead(
			20 + Math.floor( Math.random() * 300 )
		),
		appointmentStartTime: `${ String( 8 + Math.floor( Math.random() * 10 ) ).padStart( 2, '0' ) }:00`,
		doctorId: doctor.id,
		patientId: patient.id,
		serviceId: [ service.mappingIds[ 0 ]! ],
		status: 1,
	} );
	if ( booked.status !== 201 ) {
		throw new Error( `Booking failed: ${ JSON.stringify( booked.body ) }` );
	}
	const appointmentId = booked.body.data.appointment_id as number;
	const row = await mapping( appointmentId );
	if ( row?.state !== 'ready' ) {
		throw new Error( `The appointment's meeting is ${ row?.state }` );
	}
	return {
		clinicId,
		foreignClinicId,
		appointmentId,
		meetUrl: row.url,
		users,
		sessions,
		doctorEmail,
		otherDoctorEmail,
	};
}
