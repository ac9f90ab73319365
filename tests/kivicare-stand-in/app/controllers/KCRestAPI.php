<?php
/**
 * Registers every `kivicare/v1` controller (KiviCare `app/controllers/KCRestAPI.php`).
 *
 * @package KiviCareStandIn
 */

namespace App\controllers;

defined( 'ABSPATH' ) || exit;

/**
 * REST registry.
 */
class KCRestAPI {

	/**
	 * `rest_api_init` callback.
	 */
	public static function register_routes() {
		$controllers = array(
			api\AuthController::class,
			api\AppointmentsController::class,
			api\DoctorServiceController::class,
			api\DoctorController::class,
			api\DashboardController::class,
			api\StaticDataController::class,
			api\ConfigController::class,
			api\SetupWizardController::class,
		);
		foreach ( $controllers as $controller ) {
			( new $controller() )->register_routes();
		}
	}
}
