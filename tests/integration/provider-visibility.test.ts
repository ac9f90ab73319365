/**
 * Who sees an appointment's Meet link in KiviCare's data: the appointment's doctor, its
 * patient, staff of its clinic and administrators; nobody else — through every read filter
 * KiviCare offers (list, single, details/encounter, dashboard upcoming, is_video_consultation).
 */
import {
	createUser,
	login,
	query,
	wpJson,
	type TestUser,
} from '../harness/testkit';
import {
	book,
	createDoctor,
	createPatient,
	KC,
} from '../kivicare-stand-in/test-support/standin';
import {
	configureMeet,
	mapping,
	telemedScenario,
	type Scenario,
} from './support/meet';

const YEAR = new Date().getUTCFullYear() + 1;

interface FilterView {
	consultation: boolean;
	list: { video_consultation: unknown; video_url: unknown };
	single: { video_consultation: unknown; video_url: unknown };
	details: { video_consultation: unknown; video_url: unknown };
	upcoming: { video_consultation: unknown; video_url: unknown };
	can_view: boolean;
	can_manage: boolean;
}

/** Runs KiviCare's read filters as `userId` (0 = anonymous), the way its controllers call them. */
function viewAs(
	userId: number,
	appointmentId: number
): Promise< FilterView > {
	return wpJson< FilterView >(
		`wp_set_current_user( $args['user'] );
		$id  = $args['id'];
		$row = MFK_Appointments::get( $id );
		$obj = (object) $row;
		$base = array( 'id' => $id, 'video_consultation' => false, 'video_url' => 'leaked' );
		$pick = static fn( $a ) => array( 'video_consultation' => $a['video_consultation'], 'video_url' => $a['video_url'] );
		return array(
			'consultation' => apply_filters( 'kc_is_video_consultation', false, $id ),
			'list'         => $pick( apply_filters( 'kc_appointment_list_item', $base, $obj ) ),
			'single'       => $pick( apply_filters( 'kc_appointment_data', $base, $id ) ),
			'details'      => $pick( apply_filters( 'kc_appointment_details_data', $base, $obj ) ),
			'upcoming'     => $pick( apply_filters( 'kc_get_upcoming_appointment_data', $base, $obj ) ),
			'can_view'     => MFK_Access::can_view_meeting( $args['user'], $id ),
			'can_manage'   => MFK_Access::can_manage_meeting( $args['user'], $id ),
		);`,
		{ user: userId, id: appointmentId }
	);
}

describe( 'visibility of the Meet link', () => {
	let sc: Scenario;
	let appointmentId: number;
	let link: string;
	const users: Record< string, TestUser > = {};

	beforeAll( async () => {
		await configureMeet();
		sc = await telemedScenario();
		const res = await book( await login( sc.patient ), {
			appointmentStartDate: `${ YEAR }-09-09`,
			appointmentStartTime: '09:00',
			doctorId: sc.doctor.id,
			patientId: sc.patient.id,
			serviceId: [ sc.mappingId ],
			status: 1,
		} );
		if ( res.status !== 201 ) {
			throw new Error(
				`Booking failed: ${ JSON.stringify( res.body ) }`
			);
		}
		appointmentId = res.body.data.appointment_id;
		link = ( await mapping( appointmentId ) )?.url ?? '';
		if ( ! /^https:\/\/meet\.google\.com\//.test( link ) ) {
			throw new Error( `No Meet link after booking: "${ link }"` );
		}

		const [ other ] = await query< { id: number } >(
			"INSERT INTO wp_kc_clinics (name, status, created_at) VALUES ('Other clinic', 1, NOW()) RETURNING id"
		);
		const otherClinicId = Number( other!.id );
		users.otherPatient = await createPatient( 'Other' );
		users.otherDoctor = await createDoctor( sc.clinicId, {
			firstName: 'Other',
		} );
		users.receptionist = await createUser( 'kiviCare_receptionist' );
		users.foreignReceptionist = await createUser( 'kiviCare_receptionist' );
		users.foreignClinicAdmin = await createUser( 'kiviCare_clinic_admin' );
		users.subscriber = await createUser( 'subscriber' );
		await query(
			'INSERT INTO wp_kc_receptionist_clinic_mappings (receptionist_id, clinic_id, created_at) VALUES (?, ?, NOW()), (?, ?, NOW())',
			[
				users.receptionist.id,
				sc.clinicId,
				users.foreignReceptionist.id,
				otherClinicId,
			]
		);
		await query(
			'UPDATE wp_kc_clinics SET clinic_admin_id = ? WHERE id = ?',
			[ users.foreignClinicAdmin.id, otherClinicId ]
		);
	} );

	it( "shows the link in KiviCare's REST answers to the doctor, the patient, the clinic admin and an administrator", async () => {
		for ( const who of [
			sc.doctor,
			sc.patient,
			sc.clinicAdmin,
			undefined,
		] ) {
			const session = await login( who );
			const list = await session.rest(
				`${ KC }/appointments?perPage=-1&timeFrame=all`
			);
			const item = list.body.data.appointments.find(
				( a: { id: number } ) => a.id === appointmentId
			);
			expect( item ).toMatchObject( {
				video_consultation: true,
				video_url: link,
			} );
			const view = await session.rest(
				`${ KC }/appointments/${ appointmentId }/view`
			);
			expect( view.body.data ).toMatchObject( {
				video_consultation: true,
				video_url: link,
			} );
		}
		const upcoming = await (
			await login( sc.patient )
		).rest( `${ KC }/dashboard/upcoming-appointments` );
		const card = upcoming.body.data.find(
			( a: { id: number } ) => a.id === appointmentId
		);
		expect( card ).toMatchObject( {
			video_consultation: true,
			video_url: link,
		} );
	} );

	it( 'KiviCare does not list the appointment to another patient at all', async () => {
		const session = await login( users.otherPatient );
		const list = await session.rest(
			`${ KC }/appointments?perPage=-1&timeFrame=all`
		);
		expect( JSON.stringify( list.body ) ).not.toContain( link );
		const single = await session.rest(
			`${ KC }/appointments/${ appointmentId }`
		);
		expect( single.status ).toBeGreaterThanOrEqual( 400 );
		expect( JSON.stringify( single.body ) ).not.toContain( link );
	} );

	it( 'grants the link through every read filter only to those allowed', async () => {
		const allowed: Array< [ string, number ] > = [
			[ 'doctor', sc.doctor.id ],
			[ 'patient', sc.patient.id ],
			[ 'receptionist of the clinic', users.receptionist!.id ],
			[ 'clinic admin', sc.clinicAdmin.id ],
			[ 'administrator', 1 ],
		];
		const refused: Array< [ string, number ] > = [
			[ 'anonymous', 0 ],
			[ 'another patient', users.otherPatient!.id ],
			[ 'another doctor', users.otherDoctor!.id ],
			[ 'receptionist of another clinic', users.foreignReceptionist!.id ],
			[ 'clinic admin of another clinic', users.foreignClinicAdmin!.id ],
			[ 'subscriber', users.subscriber!.id ],
		];
		const shown = { video_consultation: true, video_url: link };
		const hidden = { video_consultation: false, video_url: '' };
		for ( const [ who, id ] of allowed ) {
			const view = await viewAs( id, appointmentId );
			expect( { who, ...view } ).toEqual( {
				who,
				consultation: true,
				list: shown,
				single: shown,
				details: shown,
				upcoming: shown,
				can_view: true,
				can_manage: who !== 'patient',
			} );
		}
		for ( const [ who, id ] of refused ) {
			const view = await viewAs( id, appointmentId );
			expect( { who, ...view } ).toEqual( {
				who,
				consultation: false,
				list: hidden,
				single: hidden,
				details: hidden,
				upcoming: hidden,
				can_view: false,
				can_manage: false,
			} );
		}
	} );
} );
