<?php
/**
 * REST: the video visits report (`GET meet-for-kivicare/v1/reports/visits`, JSON pages, or the
 * whole filtered report as CSV with `format=csv`), for administrators and for KiviCare clinic
 * admins limited to their clinics (docs/rest-api.md, "Reports").
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * The report route.
 */
final class MFK_REST_Reports {

	/** Route path, for the CSV serving filter. */
	const ROUTE = '/reports/visits';

	/**
	 * The export this request answers with (filters, clinics), or null.
	 *
	 * @var array{0:array<string,mixed>,1:array<int,int>|null}|null
	 */
	private static $csv = null;

	/**
	 * Registers the route.
	 */
	public static function register_routes(): void {
		register_rest_route(
			MFK_REST::NAMESPACE,
			self::ROUTE,
			array(
				'methods'             => WP_REST_Server::READABLE,
				'callback'            => array( __CLASS__, 'get_visits' ),
				'permission_callback' => array( __CLASS__, 'can_view' ),
				'args'                => array(
					'doctor_id' => array(
						'description' => __( 'Only this doctor’s visits.', 'meet-for-kivicare' ),
						'type'        => 'integer',
						'minimum'     => 1,
					),
					'clinic_id' => array(
						'description' => __( 'Only this clinic’s visits (a clinic admin: one of their clinics).', 'meet-for-kivicare' ),
						'type'        => 'integer',
						'minimum'     => 1,
					),
					'from'      => array(
						'description' => __( 'First day (YYYY-MM-DD, the site’s time zone).', 'meet-for-kivicare' ),
						'type'        => 'string',
						'pattern'     => '^\d{4}-\d{2}-\d{2}$',
					),
					'to'        => array(
						'description' => __( 'Last day (YYYY-MM-DD, the site’s time zone).', 'meet-for-kivicare' ),
						'type'        => 'string',
						'pattern'     => '^\d{4}-\d{2}-\d{2}$',
					),
					'outcome'   => array(
						'description' => __( 'Only visits with this outcome.', 'meet-for-kivicare' ),
						'type'        => 'string',
						'enum'        => MFK_Visits_Report::OUTCOMES,
					),
					'page'      => array(
						'description' => __( 'Page (from 1).', 'meet-for-kivicare' ),
						'type'        => 'integer',
						'minimum'     => 1,
						'maximum'     => 1000000,
						'default'     => 1,
					),
					'per_page'  => array(
						'description' => __( 'Visits per page.', 'meet-for-kivicare' ),
						'type'        => 'integer',
						'minimum'     => 1,
						'maximum'     => MFK_Visits_Report::MAX_PER_PAGE,
						'default'     => 25,
					),
					'format'    => array(
						'description' => __( 'json (a page) or csv (every visit for the filters, as a download).', 'meet-for-kivicare' ),
						'type'        => 'string',
						'enum'        => array( 'json', 'csv' ),
						'default'     => 'json',
					),
				),
			)
		);
	}

	/**
	 * Permission: administrators, and clinic admins (only their clinics; another clinic's id
	 * in `clinic_id` is refused).
	 *
	 * @param WP_REST_Request $request Request.
	 * @return bool|WP_Error
	 */
	public static function can_view( WP_REST_Request $request ) {
		if ( ! is_user_logged_in() ) {
			return false;
		}
		$user_id = get_current_user_id();
		if ( ! MFK_Visits_Report::can_view( $user_id ) ) {
			return false;
		}
		$present = MFK_REST::kivicare_present();
		if ( is_wp_error( $present ) ) {
			return $present;
		}
		$clinics = MFK_Visits_Report::clinics_of( $user_id );
		$clinic  = (int) $request->get_param( 'clinic_id' );
		return null === $clinics || 0 === $clinic || in_array( $clinic, $clinics, true );
	}

	/**
	 * The filters of a request.
	 *
	 * @param WP_REST_Request $request Request.
	 * @return array<string,mixed>
	 */
	private static function filters( WP_REST_Request $request ): array {
		return array(
			'doctor_id' => (int) $request->get_param( 'doctor_id' ),
			'clinic_id' => (int) $request->get_param( 'clinic_id' ),
			'from'      => (string) $request->get_param( 'from' ),
			'to'        => (string) $request->get_param( 'to' ),
			'outcome'   => (string) $request->get_param( 'outcome' ),
		);
	}

	/**
	 * `GET /reports/visits`: a page (items, total, totals per outcome, page, per_page, pages;
	 * also X-WP-Total and X-WP-TotalPages), or with `format=csv` the CSV download (streamed by
	 * serve_csv()).
	 *
	 * @param WP_REST_Request $request Request.
	 * @return WP_REST_Response
	 */
	public static function get_visits( WP_REST_Request $request ): WP_REST_Response {
		$filters = self::filters( $request );
		$clinics = MFK_Visits_Report::clinics_of( get_current_user_id() );
		if ( 'csv' === $request->get_param( 'format' ) ) {
			$response = new WP_REST_Response( null, 200 );
			$response->header( 'Content-Type', 'text/csv; charset=utf-8' );
			$response->header( 'Content-Disposition', 'attachment; filename="video-visits-' . gmdate( 'Y-m-d' ) . '.csv"' );
			$response->header( 'Cache-Control', 'no-store' );
			$response->header( 'X-Content-Type-Options', 'nosniff' );
			self::$csv = array( $filters, $clinics );
			return $response;
		}
		$per_page = (int) $request->get_param( 'per_page' );
		$page     = max( 1, (int) $request->get_param( 'page' ) );
		$totals   = MFK_Visits_Report::totals( $filters, $clinics );
		$outcome  = $filters['outcome'];
		$total    = '' !== $outcome && isset( $totals[ $outcome ] ) ? $totals[ $outcome ] : array_sum( $totals );
		$items    = MFK_Visits_Report::rows( $filters, $clinics, $per_page, ( $page - 1 ) * $per_page );
		foreach ( $items as &$item ) {
			unset( $item['_cursor'] );
		}
		unset( $item );
		$pages    = (int) ceil( $total / $per_page );
		$response = rest_ensure_response(
			array(
				'items'    => $items,
				'total'    => $total,
				'totals'   => $totals,
				'page'     => $page,
				'per_page' => $per_page,
				'pages'    => $pages,
			)
		);
		$response->header( 'X-WP-Total', (string) $total );
		$response->header( 'X-WP-TotalPages', (string) $pages );
		return $response;
	}

	/**
	 * `rest_pre_serve_request`: streams the CSV answer instead of JSON.
	 *
	 * @param bool             $served  Whether the request was served already.
	 * @param WP_HTTP_Response $result  Response.
	 * @return bool
	 */
	public static function serve_csv( $served, $result ) {
		if ( $served || null === self::$csv || ! $result instanceof WP_HTTP_Response || 200 !== $result->get_status() ) {
			return $served;
		}
		list( $filters, $clinics ) = self::$csv;
		self::$csv                 = null;
		// phpcs:ignore WordPress.WP.AlternativeFunctions.file_system_operations_fopen -- the response body.
		$out = fopen( 'php://output', 'w' );
		if ( false === $out ) {
			return $served;
		}
		MFK_Visits_Report::write_csv( $filters, $clinics, $out );
		// phpcs:ignore WordPress.WP.AlternativeFunctions.file_system_operations_fclose -- the response body.
		fclose( $out );
		return true;
	}
}
