<?php
/**
 * KiviCare's `googlemeet` telemed provider. Loaded only when KiviCare's abstract
 * provider exists; every call is delegated to the plugin's MFK_* services.
 *
 * Parameter lists mirror KiviCare's abstract class (untyped where it is untyped);
 * return types are declared where KiviCare documents them, which PHP accepts for
 * both a typed and an untyped parent.
 *
 * @package MeetForKiviCare
 */

namespace KCGMApp\providers;

use KCGMApp\models\KCGMAppointmentGoogleMeetMapping;

defined( 'ABSPATH' ) || exit;

if ( ! class_exists( '\\App\\abstracts\\KCAbstractTelemedProvider' ) ) {
	return;
}

/**
 * Google Meet provider for KiviCare 4.x.
 */
class KCGMGoogleMeet extends \App\abstracts\KCAbstractTelemedProvider {

	/**
	 * Defaults under the stored provider option.
	 *
	 * @return array<string,mixed>
	 */
	protected function get_default_config(): array {
		return array(
			'enabled'   => false,
			'auth_type' => 'oauth',
			'client_id' => '',
		);
	}

	/**
	 * Provider id KiviCare matches against `telemed_type`.
	 */
	public function get_provider_id(): string {
		return \MFK_KiviCare::PROVIDER_ID;
	}

	/**
	 * Display name.
	 */
	public function get_provider_name(): string {
		return __( 'Google Meet', 'meet-for-kivicare' );
	}

	/**
	 * OAuth client and sidecar configured.
	 */
	public function is_configured(): bool {
		return \MFK_Settings::is_configured();
	}

	/**
	 * Books the meeting for an appointment. Truthy once the intent is recorded, also
	 * when Google or the sidecar is down (the queue finishes the job). A WP_Error
	 * (truthy for bookings) explains why no meeting is made.
	 *
	 * @param array<string,mixed> $meeting_data KiviCare's meeting data.
	 * @return array<string,mixed>|\WP_Error|false
	 */
	public function create_meeting( $meeting_data = array() ): array|\WP_Error|false {
		return \MFK_Meetings::ensure_for_booking( is_array( $meeting_data ) ? $meeting_data : array() );
	}

	/**
	 * Reschedule: records the new time, synced after KiviCare's transaction. Always
	 * truthy so KiviCare's reschedule never rolls back because of Google.
	 *
	 * @param mixed               $meeting_id   Event id.
	 * @param array<string,mixed> $meeting_data KiviCare's data.
	 * @return array<string,mixed>|false
	 */
	public function update_meeting( $meeting_id, $meeting_data = array() ): array|false {
		return \MFK_Meetings::reschedule( (string) $meeting_id, is_array( $meeting_data ) ? $meeting_data : array() );
	}

	/**
	 * Cancels the meeting with this event id.
	 *
	 * @param mixed $meeting_id Event id.
	 */
	public function delete_meeting( $meeting_id ): bool {
		$row = \MFK_Mappings::get_by_event_id( (string) $meeting_id );
		return null !== $row && \MFK_Meetings::cancel( (int) $row['appointment_id'] );
	}

	/**
	 * Meeting by event id.
	 *
	 * @param mixed $meeting_id Event id.
	 * @return array<string,mixed>|false
	 */
	public function get_meeting( $meeting_id ): array|false {
		$row = \MFK_Mappings::get_by_event_id( (string) $meeting_id );
		if ( null === $row ) {
			return false;
		}
		return KCGMAppointmentGoogleMeetMapping::from_row( $row )->toArray();
	}

	/**
	 * Checks the site's OAuth client (and the doctor's grant when given) through the
	 * sidecar.
	 *
	 * @param mixed $data      Unused.
	 * @param mixed $doctor_id Doctor to check.
	 * @return array<string,mixed>
	 */
	public function test_connection( $data = array(), $doctor_id = 0 ): array {
		unset( $data );
		$client = \MFK_Settings::client();
		if ( is_wp_error( $client ) ) {
			return array(
				'status'  => false,
				'message' => $client->get_error_message(),
			);
		}
		$body      = array(
			'siteId' => \MFK_Site::id(),
			'client' => $client,
		);
		$doctor_id = (int) $doctor_id;
		if ( $doctor_id > 0 && \MFK_Doctor_Connection::is_connected( $doctor_id ) ) {
			$body['credential'] = \MFK_Doctor_Connection::credential( $doctor_id );
			$body['calendarId'] = \MFK_Doctor_Connection::calendar_id( $doctor_id );
		}
		$answer = \MFK_Sidecar_Client::instance()->post( '/v1/connection/test', $body, array( 'timeout' => 10, 'doctor_id' => $doctor_id ) );
		if ( is_wp_error( $answer ) ) {
			return array(
				'status'  => false,
				'message' => $answer->get_error_message(),
				'code'    => $answer->get_error_code(),
			);
		}
		return array(
			'status'  => ! empty( $answer['ok'] ),
			'message' => ! empty( $answer['ok'] ) ? __( 'Google Meet connection works.', 'meet-for-kivicare' ) : __( 'Some checks failed.', 'meet-for-kivicare' ),
			'checks'  => is_array( $answer['checks'] ?? null ) ? $answer['checks'] : array(),
		);
	}

	/**
	 * Stores the calendar a doctor's meetings go to (`calendar_id`).
	 *
	 * @param int                 $doctor_id Doctor.
	 * @param array<string,mixed> $config    Config.
	 */
	public function update_doctor_config( int $doctor_id, array $config ): bool {
		if ( ! isset( $config['calendar_id'] ) ) {
			return true;
		}
		$calendar = trim( (string) $config['calendar_id'] );
		if ( '' !== $calendar && ! preg_match( '/^[A-Za-z0-9@._+-]{1,255}$/', $calendar ) ) {
			return false;
		}
		if ( '' === $calendar ) {
			delete_user_meta( $doctor_id, \MFK_Doctor_Connection::META_CALENDAR );
			return true;
		}
		return false !== update_user_meta( $doctor_id, \MFK_Doctor_Connection::META_CALENDAR, $calendar );
	}

	/**
	 * Consent URL for a doctor; the OAuth screens supply it through
	 * `mfk_doctor_authorization_url` (they own the state and redirect URI).
	 *
	 * @param mixed $doctor_id Doctor.
	 */
	public function get_authorization_url( $doctor_id ): string {
		return (string) apply_filters( 'mfk_doctor_authorization_url', '', (int) $doctor_id );
	}

	/**
	 * Disconnects a doctor (revokes at Google).
	 *
	 * @param int $doctor_id Doctor.
	 */
	public function disconnect_doctor( int $doctor_id ): bool {
		\MFK_Doctor_Connection::disconnect( $doctor_id );
		return true;
	}

	/**
	 * Not used for Google Meet: rows are written by the queue.
	 *
	 * @param mixed $meeting_data Data.
	 * @return int|false
	 */
	protected function save_zoom_meeting_record( $meeting_data ): int|false {
		unset( $meeting_data );
		return false;
	}

	/**
	 * Cancels the meeting instead of forgetting it (the row drives the clean-up).
	 *
	 * @param mixed $meeting_id Event id.
	 */
	protected function delete_meeting_record( $meeting_id ): bool {
		return $this->delete_meeting( $meeting_id );
	}

	/**
	 * Mapping of an appointment.
	 *
	 * @param mixed $appointment_id Appointment id.
	 */
	public function get_meeting_by_appointment( $appointment_id ): ?object {
		return KCGMAppointmentGoogleMeetMapping::query()->where( 'appointmentId', (int) $appointment_id )->first();
	}

	/**
	 * Delete, bulk delete, doctor deletion: the event goes (after KiviCare's delete).
	 *
	 * @param mixed $appointment_id Appointment id.
	 */
	public function cancel_meeting_by_appointment( $appointment_id ): bool {
		\MFK_Meetings::cancel( (int) $appointment_id );
		return true;
	}

	/**
	 * KiviCare's factory picks this provider for a doctor when this is non-empty.
	 * A marker, never the credential.
	 *
	 * @param mixed $doctor_id Doctor.
	 */
	public function get_doctor_access_token( $doctor_id ): ?string {
		return \MFK_Doctor_Connection::is_connected( (int) $doctor_id ) ? 'mfk-connected' : null;
	}

	/**
	 * Whether the current user (a doctor) is connected.
	 */
	public function is_doctor_telemed_connected(): bool {
		return \MFK_Doctor_Connection::is_connected( get_current_user_id() );
	}
}
