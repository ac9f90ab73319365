/**
 * Helpers for tests that drive the KiviCare stand-in through its REST API
 * (`/wp-json/kivicare/v1`): default clinic, doctors, patients, services,
 * bookings, and the test-only fake telemed provider.
 */
import {
	createUser,
	harness,
	login,
	query,
	setOption,
	deleteOption,
	wpJson,
	type Session,
	type TestUser,
} from '../../harness/testkit';

export const KC = 'kivicare/v1';

/** A KiviCare `{status, message, data}` answer. */
export interface KcEnvelope< T = any > {
	status: boolean;
	message: string;
	data: T;
}

let adminSession: Session | undefined;

/** A logged-in administrator session (cached per test file). */
export async function admin(): Promise< Session > {
	adminSession ??= await login( harness().admin );
	return adminSession;
}

export interface Clinic {
	clinicId: number;
	clinicAdmin: TestUser;
}

/**
 * The default clinic (created through `POST setup-wizard/clinic` when missing) and a clinic
 * admin with a known password (the clinic's admin is replaced by a fresh user each call).
 */
export async function ensureClinic(
	name = 'Stand-in Clinic'
): Promise< Clinic > {
	const clinicAdmin = await createUser( 'kiviCare_clinic_admin', {
		firstName: 'Clinic',
		lastName: 'Admin',
	} );
	const res = await (
		await admin()
	).rest< KcEnvelope< { clinic_id: number } > >(
		`${ KC }/setup-wizard/clinic`,
		{
			method: 'POST',
			body: {
				name,
				email: 'front-desk@clinic.test',
				clinic_admin: { email: clinicAdmin.email },
			},
		}
	);
	if ( res.status !== 201 ) {
		throw new Error(
			`setup-wizard/clinic failed: HTTP ${ res.status } ${ JSON.stringify( res.body ) }`
		);
	}
	return { clinicId: res.body.data.clinic_id, clinicAdmin };
}

/** A doctor linked to a clinic; `meta` as user meta (e.g. `{ timezone: 'Europe/Berlin' }`). */
export async function createDoctor(
	clinicId: number,
	{
		meta = {},
		firstName = 'Doctor',
	}: { meta?: Record< string, unknown >; firstName?: string } = {}
): Promise< TestUser > {
	const doctor = await createUser( 'kiviCare_doctor', {
		firstName,
		lastName: 'Test',
		meta,
	} );
	await query(
		'INSERT INTO wp_kc_doctor_clinic_mappings (doctor_id, clinic_id, owner, created_at) VALUES (?, ?, 0, NOW())',
		[ doctor.id, clinicId ]
	);
	return doctor;
}

export function createPatient( firstName = 'Patient' ): Promise< TestUser > {
	return createUser( 'kiviCare_patient', { firstName, lastName: 'Test' } );
}

/** Creates a service for doctors through `POST doctor-services`; resolves with the mapping ids by doctor. */
export async function createService(
	{
		name,
		doctors,
		telemed = false,
		duration,
		clinics,
		price = 50,
	}: {
		name: string;
		doctors: number[];
		telemed?: boolean;
		duration?: number;
		clinics?: number[];
		price?: number;
	},
	session?: Session
): Promise< { serviceId: number; mappingIds: number[] } > {
	const res = await ( session ?? ( await admin() ) ).rest<
		KcEnvelope< { service_id: number; mappings: Array< { id: number } > } >
	>( `${ KC }/doctor-services`, {
		method: 'POST',
		body: {
			name,
			category: 'general',
			price,
			doctors,
			...( clinics ? { clinics } : {} ),
			...( duration ? { duration } : {} ),
			telemed_service: telemed ? 'yes' : 'no',
		},
	} );
	if ( res.status !== 201 ) {
		throw new Error(
			`doctor-services failed: HTTP ${ res.status } ${ JSON.stringify( res.body ) }`
		);
	}
	return {
		serviceId: res.body.data.service_id,
		mappingIds: res.body.data.mappings.map( ( m ) => m.id ),
	};
}

/** YYYY-MM-DD `days` from today (UTC). */
export function dateInDays( days: number ): string {
	return new Date( Date.now() + days * 86400000 )
		.toISOString()
		.slice( 0, 10 );
}

export interface BookingRequest {
	appointmentStartDate: string;
	appointmentStartTime: string;
	doctorId: number;
	serviceId: number[] | string;
	patientId?: number;
	clinicId?: number;
	status?: number;
	paymentGateway?: string;
	timezone?: string;
	description?: string;
}

/** `POST appointments`. */
export function book( session: Session, body: BookingRequest ) {
	return session.rest<
		KcEnvelope< { appointment_id: number; status: number } >
	>( `${ KC }/appointments`, {
		method: 'POST',
		body,
	} );
}

// ---------------------------------------------------------------------------------------------
// Fake provider (test-support/fake-provider.php)

export interface FakeProviderOptions {
	id?: string;
	auth_type?: 'oauth' | 'server-to-server';
	create?: 'record' | 'array' | 'false' | 'empty' | 'wp_error' | 'throw';
	update?: 'record' | 'array' | 'false';
	cancel?: 'ok' | 'throw';
	define_model?: boolean;
	define_gate?: boolean;
	throw_after_create_hook?: boolean;
	inject_video_url?: boolean;
}

export interface FakeCall {
	method: string;
	args: any[];
	in_transaction: number | null;
	appointment_status: number | null;
	appointment_start: string | null;
	appointment_desc: string | null;
	wp_timezone: string;
}

export function enableFakeProvider(
	options: FakeProviderOptions = {}
): Promise< unknown > {
	return setOption( 'kc_standin_fake_provider', {
		enabled: true,
		...options,
	} );
}

export function disableFakeProvider(): Promise< unknown > {
	return deleteOption( 'kc_standin_fake_provider' );
}

/** Provider calls and kc_* hook firings recorded by the fake since the last reset. */
export function fakeCalls(): Promise< FakeCall[] > {
	return wpJson< FakeCall[] >(
		`$file = WP_CONTENT_DIR . '/kc-standin-fake-calls.jsonl';
		if ( ! is_readable( $file ) ) { return array(); }
		return array_values( array_filter( array_map( static fn( $l ) => json_decode( $l, true ), file( $file, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES ) ) ) );`
	);
}

export function resetFakeCalls(): Promise< unknown > {
	return wpJson(
		`$file = WP_CONTENT_DIR . '/kc-standin-fake-calls.jsonl'; if ( file_exists( $file ) ) { unlink( $file ); } return true;`
	);
}

/** Marks a doctor as connected for the fake provider. */
export function connectFakeDoctor(
	doctorId: number,
	token = 'fake-token'
): Promise< unknown > {
	return wpJson(
		'return update_user_meta( $args["id"], "kc_standin_fake_token", $args["token"] );',
		{ id: doctorId, token }
	);
}

/**
 * Switches Meet for KiviCare off without running its deactivation hook (only the
 * active_plugins option changes) and resolves with a function that switches it back on the
 * same way. Lets stand-in tests run with the fake provider alone.
 */
export async function withoutMeetForKiviCare(): Promise<
	() => Promise< void >
> {
	const wasActive = await wpJson< boolean >(
		`require_once ABSPATH . 'wp-admin/includes/plugin.php';
		$active = is_plugin_active( 'meet-for-kivicare/plugin.php' );
		if ( $active ) { deactivate_plugins( 'meet-for-kivicare/plugin.php', true ); }
		return $active;`
	);
	return async () => {
		if ( wasActive ) {
			await wpJson(
				`require_once ABSPATH . 'wp-admin/includes/plugin.php';
				$active = get_option( 'active_plugins', array() );
				if ( ! in_array( 'meet-for-kivicare/plugin.php', $active, true ) ) {
					$active[] = 'meet-for-kivicare/plugin.php';
					sort( $active );
					update_option( 'active_plugins', $active );
				}
				return true;`
			);
		}
	};
}

/**
 * Remembers options (including whether they exist) and resolves with a function that puts
 * them back, so a test file leaves shared settings as it found them.
 */
export async function preserveOptions(
	names: string[]
): Promise< () => Promise< void > > {
	const saved = await wpJson<
		Record< string, { exists: boolean; value?: unknown } >
	>(
		`$missing = new stdClass();
		$out = array();
		foreach ( $args as $name ) {
			$value = get_option( $name, $missing );
			$out[ $name ] = $value === $missing ? array( 'exists' => false ) : array( 'exists' => true, 'value' => $value );
		}
		return $out;`,
		names
	);
	return async () => {
		await wpJson(
			`foreach ( $args as $name => $state ) {
				if ( $state['exists'] ) {
					update_option( $name, $state['value'] );
				} else {
					delete_option( $name );
				}
			}
			return true;`,
			saved
		);
	};
}

/** Options the stand-in's own tests change. */
export const STAND_IN_TEST_OPTIONS = [
	'kc_standin_fake_provider',
	'kc_standin_pro_active',
	'kiviCare_google_meet_setting',
	'timezone_string',
	'gmt_offset',
];

// ---------------------------------------------------------------------------------------------
// Action Scheduler (vendor/woocommerce/action-scheduler): KiviCare's e-mails are queued there

/**
 * Runs Action Scheduler's due actions once, as WP-Cron's `action_scheduler_run_queue` or
 * `wp action-scheduler run` would; resolves with how many ran.
 */
export function runActionScheduler(): Promise< number > {
	return wpJson< number >(
		`return class_exists( 'ActionScheduler' ) ? ActionScheduler::runner()->run( 'WP-CLI' ) : 0;`
	);
}

export interface QueuedEmail {
	action_id: number;
	status: string;
	template: string;
	to: string;
	entity_id: number;
	meet_link: string;
}

/** KiviCare's e-mails in Action Scheduler (`kivicare_send_scheduled_email`) for an appointment. */
export function queuedEmails(
	appointmentId: number
): Promise< QueuedEmail[] > {
	return wpJson< QueuedEmail[] >(
		`global $wpdb;
		if ( ! class_exists( 'ActionScheduler_Store' ) ) { return array(); }
		$rows = $wpdb->get_results( $wpdb->prepare( 'SELECT action_id, status, args FROM ' . ActionScheduler_Store::table() . ' WHERE hook = %s ORDER BY action_id', 'kivicare_send_scheduled_email' ) );
		$out = array();
		foreach ( $rows as $row ) {
			$context = json_decode( $row->args, true )[0] ?? array();
			if ( (int) ( $context['entity_id'] ?? 0 ) !== (int) $args ) { continue; }
			$out[] = array(
				'action_id' => (int) $row->action_id,
				'status'    => $row->status,
				'template'  => (string) $context['template'],
				'to'        => (string) $context['to'],
				'entity_id' => (int) $context['entity_id'],
				'meet_link' => (string) ( $context['custom_data']['meet_link'] ?? '' ),
			);
		}
		return $out;`,
		appointmentId
	);
}
