<?php
/**
 * KiviCare hooks (added by mfk_integrate_kivicare(), php/plugin/hooks.php): provider
 * registration, appointment lifecycle, and the link in KiviCare's dashboard data.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Glue between KiviCare 4.x and the meeting service.
 */
final class MFK_KiviCare {

	/** Provider id KiviCare compares against. */
	const PROVIDER_ID = 'googlemeet';

	/**
	 * Per-request cache of mapping rows for dashboard filters.
	 *
	 * @var array<int,array<string,mixed>|null>
	 */
	private static $rows = array();

	/**
	 * Adds the `googlemeet` provider.
	 *
	 * @param array<string,array<string,mixed>> $providers Providers by id.
	 * @return array<string,array<string,mixed>>
	 */
	public static function register_provider( $providers ): array {
		$providers = is_array( $providers ) ? $providers : array();
		if ( class_exists( 'KCGMApp\\providers\\KCGMGoogleMeet' ) ) {
			$providers[ self::PROVIDER_ID ] = array(
				'class'        => 'KCGMApp\\providers\\KCGMGoogleMeet',
				'settings_key' => MFK_KiviCare_Options::PROVIDER_OPTION,
				'description'  => __( 'Google Meet (Meet for KiviCare)', 'meet-for-kivicare' ),
			);
		}
		return $providers;
	}

	/**
	 * `kc_appointment_updated`: re-read the appointment (time, doctor, services).
	 *
	 * @param mixed $appointment Appointment id (or data carrying it).
	 */
	public static function on_updated( $appointment ): void {
		$id = self::appointment_id( $appointment );
		unset( self::$rows[ $id ] );
		MFK_Meetings::refresh( $id );
	}

	/**
	 * `kc_appointment_cancelled`: KiviCare does not call the provider here.
	 *
	 * @param mixed $appointment Appointment id.
	 */
	public static function on_cancelled( $appointment ): void {
		$id = self::appointment_id( $appointment );
		unset( self::$rows[ $id ] );
		MFK_Meetings::refresh( $id, MFK_Appointments::STATUS_CANCELLED );
	}

	/**
	 * `kc_appointment_status_update`: cancel on 0, bring the event back when a
	 * cancelled appointment is re-booked.
	 *
	 * @param mixed $appointment Appointment id.
	 * @param mixed $status      New status.
	 */
	public static function on_status_update( $appointment, $status = null ): void {
		$id = self::appointment_id( $appointment );
		unset( self::$rows[ $id ] );
		MFK_Meetings::refresh( $id, is_numeric( $status ) ? (int) $status : null );
	}

	/**
	 * A connected doctor is being deleted: finish their queued work while the grant
	 * still exists (KiviCare has just asked us to cancel their meetings).
	 *
	 * @param int $user_id User being deleted.
	 */
	public static function on_delete_user( $user_id ): void {
		MFK_Meetings::flush_doctor( (int) $user_id );
	}

	/**
	 * `kc_is_video_consultation`.
	 *
	 * @param mixed $value          Current value.
	 * @param mixed $appointment_id Appointment id.
	 * @return mixed
	 */
	public static function filter_is_video_consultation( $value, $appointment_id = 0 ) {
		$view = self::view( (int) $appointment_id, null );
		return null === $view ? $value : $view['consultation'];
	}

	/**
	 * `kc_appointment_list_item` (list and calendar).
	 *
	 * @param mixed $item           List item.
	 * @param mixed $appointment_row Appointment row.
	 * @return mixed
	 */
	public static function filter_list_item( $item, $appointment_row = null ) {
		$source = null !== $appointment_row && null !== MFK_Access::appointment( $appointment_row ) ? $appointment_row : $item;
		return self::decorate( $item, $source );
	}

	/**
	 * `kc_appointment_data` (single appointment).
	 *
	 * @param mixed $data           Data.
	 * @param mixed $appointment_id Appointment id.
	 * @return mixed
	 */
	public static function filter_appointment_data( $data, $appointment_id = 0 ) {
		return self::decorate( $data, (int) $appointment_id );
	}

	/**
	 * `kc_appointment_details_data` (/view, also used by encounters) and
	 * `kc_get_upcoming_appointment_data`.
	 *
	 * @param mixed $data        Data.
	 * @param mixed $appointment Appointment row/object.
	 * @return mixed
	 */
	public static function filter_details_data( $data, $appointment = null ) {
		$source = null !== $appointment && null !== MFK_Access::appointment( $appointment ) ? $appointment : $data;
		return self::decorate( $data, $source );
	}

	/**
	 * Sets `video_consultation` and `video_url` for the current user, or removes the
	 * link for a user who may not see it.
	 *
	 * @param mixed $data        Array or object to decorate.
	 * @param mixed $appointment Id or row identifying the appointment.
	 * @return mixed
	 */
	private static function decorate( $data, $appointment ) {
		$view = self::view( 0, $appointment );
		if ( null === $view ) {
			return $data;
		}
		if ( is_array( $data ) ) {
			$data['video_consultation'] = $view['consultation'];
			$data['video_url']          = $view['url'];
		} elseif ( is_object( $data ) ) {
			$data->video_consultation = $view['consultation'];
			$data->video_url          = $view['url'];
		}
		return $data;
	}

	/**
	 * What the current user sees of an appointment's meeting. Null when the
	 * appointment is unknown (leave KiviCare's data alone).
	 *
	 * @param int   $appointment_id Appointment id (when no row is given).
	 * @param mixed $appointment    Row/object/id.
	 * @return array{consultation:bool,url:string}|null
	 */
	public static function view( int $appointment_id, $appointment ): ?array {
		$appt = MFK_Access::appointment( null !== $appointment ? $appointment : $appointment_id );
		if ( null === $appt ) {
			return null;
		}
		$hidden = array(
			'consultation' => false,
			'url'          => '',
		);
		$row = self::row( $appt['id'] );
		if ( null === $row ) {
			// A telemed appointment without a meeting: staff get KiviCare's
			// "regenerate" control through video_consultation.
			$full = MFK_Appointments::get( $appt['id'] );
			if ( null === $full || true !== MFK_Appointments::is_telemed( $full ) || MFK_Appointments::STATUS_CANCELLED === (int) $full['status'] ) {
				return $hidden;
			}
			if ( ! MFK_Access::can_view_meeting( get_current_user_id(), $appt ) ) {
				return $hidden;
			}
			return array(
				'consultation' => true,
				'url'          => '',
			);
		}
		if ( MFK_Mappings::DESIRED_ACTIVE !== $row['desired'] || ! MFK_Access::can_view_meeting( get_current_user_id(), $appt ) ) {
			return $hidden;
		}
		// The last good link, also while a later change has not reached Google.
		return array(
			'consultation' => true,
			'url'          => esc_url_raw( MFK_Mappings::link_url( $row ) ),
		);
	}

	/**
	 * Cached mapping row.
	 *
	 * @param int $appointment_id Appointment id.
	 * @return array<string,mixed>|null
	 */
	private static function row( int $appointment_id ): ?array {
		if ( ! array_key_exists( $appointment_id, self::$rows ) ) {
			self::$rows[ $appointment_id ] = MFK_Mappings::get_by_appointment( $appointment_id );
		}
		return self::$rows[ $appointment_id ];
	}

	/**
	 * Appointment id from a hook argument (id, array or object).
	 *
	 * @param mixed $value Hook argument.
	 */
	private static function appointment_id( $value ): int {
		if ( is_numeric( $value ) ) {
			return (int) $value;
		}
		if ( is_object( $value ) ) {
			$value = get_object_vars( $value );
		}
		if ( is_array( $value ) ) {
			foreach ( array( 'id', 'appointment_id', 'appointmentId' ) as $key ) {
				if ( isset( $value[ $key ] ) && is_numeric( $value[ $key ] ) ) {
					return (int) $value[ $key ];
				}
			}
		}
		return 0;
	}
}
