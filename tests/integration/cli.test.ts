/**
 * WP-CLI commands `wp mfk status|sync|retry`.
 *
 * Real WP-CLI cannot be installed on the test machines (it is in no Debian suite and not on
 * npm), so the command classes run here under a minimal `WP_CLI` double: a PHP process defines
 * `WP_CLI`, a `WP_CLI` class that records `add_command`, `line`, `success`, `warning` and `error`
 * (which stops the command, as WP-CLI's does), and `WP_CLI\Utils\make_progress_bar` /
 * `format_items`, then loads the real WordPress with the real plugin, and calls the registered
 * command with parsed arguments. Everything under the commands (queue, sidecar, emulator,
 * database) is real; only WP-CLI's own runner and output formatting are not exercised.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
	clearDebugLog,
	harness,
	login,
	phpProblems,
	query,
	type Session,
} from '../harness/testkit';
import {
	book,
	createService,
	dateInDays,
} from '../kivicare-stand-in/test-support/standin';
import {
	calendarEvents,
	configureMeet,
	freshDate,
	mapping,
	MAPPINGS,
	setSettings,
	telemedScenario,
	type Scenario,
} from './support/meet';

const DOUBLE = String.raw`<?php
// Minimal stand-in for WP-CLI's runner (tests only): records what commands print.
namespace {
	define( 'WP_CLI', true );

	class WP_CLI_Double_Halt extends Exception {}

	class WP_CLI {
		public static $commands = array();
		public static $out      = array();
		public static function add_command( $name, $callable, $args = array() ) {
			self::$commands[ $name ] = $callable;
			return true;
		}
		public static function line( $message = '' ) { self::$out[] = array( 'line', (string) $message ); }
		public static function log( $message ) { self::$out[] = array( 'log', (string) $message ); }
		public static function success( $message ) { self::$out[] = array( 'success', (string) $message ); }
		public static function warning( $message ) { self::$out[] = array( 'warning', (string) $message ); }
		public static function error( $message, $exit = true ) {
			self::$out[] = array( 'error', (string) $message );
			throw new WP_CLI_Double_Halt( (string) $message );
		}
	}

	class WP_CLI_Double_Progress {
		public $message;
		public $count;
		public $ticks = 0;
		public $finished = false;
		public function __construct( $message, $count ) { $this->message = $message; $this->count = $count; }
		public function tick( $increment = 1 ) { $this->ticks += $increment; }
		public function finish() { $this->finished = true; WP_CLI::$out[] = array( 'progress', array( 'message' => $this->message, 'count' => $this->count, 'ticks' => $this->ticks ) ); }
	}
}

namespace WP_CLI\Utils {
	function make_progress_bar( $message, $count ) { return new \WP_CLI_Double_Progress( $message, $count ); }
	function format_items( $format, $items, $fields ) {
		\WP_CLI::$out[] = array( 'items', array_map( static function ( $item ) use ( $fields ) {
			return array_intersect_key( (array) $item, array_flip( (array) $fields ) );
		}, array_values( (array) $items ) ) );
	}
}

namespace {
	$mfk_argv = array_slice( $argv, 1 );
	$mfk_root = array_shift( $mfk_argv );
	$mfk_name = array_shift( $mfk_argv );
	$mfk_args = array();
	$mfk_assoc = array();
	foreach ( $mfk_argv as $mfk_arg ) {
		if ( preg_match( '/^--no-([a-z-]+)$/', $mfk_arg, $m ) ) {
			$mfk_assoc[ $m[1] ] = false;
		} elseif ( preg_match( '/^--([a-z-]+)=(.*)$/s', $mfk_arg, $m ) ) {
			$mfk_assoc[ $m[1] ] = $m[2];
		} elseif ( preg_match( '/^--([a-z-]+)$/', $mfk_arg, $m ) ) {
			$mfk_assoc[ $m[1] ] = true;
		} else {
			$mfk_args[] = $mfk_arg;
		}
	}
	$_SERVER['HTTP_HOST']       = parse_url( getenv( 'MFK_SITE_URL' ), PHP_URL_HOST ) . ':' . parse_url( getenv( 'MFK_SITE_URL' ), PHP_URL_PORT );
	$_SERVER['REQUEST_URI']     = '/';
	$_SERVER['REQUEST_METHOD']  = 'GET';
	$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';
	require $mfk_root . '/wp-load.php';

	$mfk_halted = false;
	if ( ! isset( WP_CLI::$commands[ $mfk_name ] ) ) {
		WP_CLI::$out[] = array( 'error', 'unknown command ' . $mfk_name );
	} else {
		try {
			call_user_func( WP_CLI::$commands[ $mfk_name ], $mfk_args, $mfk_assoc );
		} catch ( WP_CLI_Double_Halt $e ) {
			$mfk_halted = true;
		}
	}
	echo "\n@@MFK@@", json_encode( array( 'commands' => array_keys( WP_CLI::$commands ), 'out' => WP_CLI::$out, 'halted' => $mfk_halted ) );
}
`;

interface CliRun {
	commands: string[];
	out: Array< [ string, any ] >;
	halted: boolean;
}

let dir: string;
let script: string;

function wp( command: string, ...args: string[] ): Promise< CliRun > {
	return new Promise( ( resolve, reject ) => {
		execFile(
			'php',
			[ script, harness().docroot, command, ...args ],
			{
				timeout: 180000,
				env: { ...process.env, MFK_SITE_URL: harness().url },
			},
			( error, stdout, stderr ) => {
				const at = stdout.lastIndexOf( '@@MFK@@' );
				if ( error || at < 0 ) {
					reject(
						new Error(
							`wp ${ command } failed: ${ error?.message ?? '' }\n${ stdout }\n${ stderr }`
						)
					);
					return;
				}
				resolve( JSON.parse( stdout.slice( at + 7 ) ) as CliRun );
			}
		);
	} );
}

function printed( run: CliRun, kind: string ): any[] {
	return run.out.filter( ( [ k ] ) => k === kind ).map( ( [ , v ] ) => v );
}

let sc: Scenario;
let patient: Session;

beforeAll( async () => {
	dir = mkdtempSync( path.join( os.tmpdir(), 'mfk-wp-cli-' ) );
	script = path.join( dir, 'wp-cli-double.php' );
	writeFileSync( script, DOUBLE );
	await configureMeet( { sync_budget_ms: 3000 } );
	sc = await telemedScenario();
	patient = await login( sc.patient );
	clearDebugLog();
} );

afterAll( async () => {
	rmSync( dir, { recursive: true, force: true } );
	await setSettings( { sync_budget_ms: 3000 } );
} );

afterEach( () => {
	expect( phpProblems() ).toEqual( [] );
} );

it( 'registers status, sync and retry next to the queue commands', async () => {
	const run = await wp( 'mfk status', '--format=json' );
	expect( run.commands ).toEqual(
		expect.arrayContaining( [
			'mfk queue',
			'mfk status',
			'mfk sync',
			'mfk retry',
		] )
	);
	const [ line ] = printed( run, 'line' );
	const status = JSON.parse( line );
	expect( status ).toMatchObject( {
		configured: true,
		missing: [],
		sidecar: { reachable: true, signed: true },
		queue: { pending: expect.any( Number ), failed: expect.any( Number ) },
	} );
	const table = await wp( 'mfk status' );
	const [ items ] = printed( table, 'items' );
	expect( items.map( ( i: { check: string } ) => i.check ) ).toEqual(
		expect.arrayContaining( [
			'configuration',
			'sidecar',
			'queue',
			'doctors',
		] )
	);
	expect(
		items.find( ( i: { check: string } ) => i.check === 'sidecar' ).status
	).toBe( 'ok' );
} );

it( 'sync backfills the missing meetings of future telemedicine appointments, with a progress bar', async () => {
	// Appointments booked "before the plugin was set up": booked with everything sent to the
	// queue, then their meeting rows removed (nothing was created at Google).
	await setSettings( { sync_budget_ms: 0 } );
	const bookOne = async (
		date: string,
		time: string,
		serviceId = sc.mappingId
	) => {
		const res = await book( patient, {
			appointmentStartDate: date,
			appointmentStartTime: time,
			doctorId: sc.doctor.id,
			patientId: sc.patient.id,
			serviceId: [ serviceId ],
			status: 1,
		} );
		expect( res.status ).toBe( 201 );
		return res.body.data.appointment_id as number;
	};
	const inPerson = await createService( {
		name: 'In person',
		doctors: [ sc.doctor.id ],
	} );
	const future1 = await bookOne( freshDate(), '09:00' );
	const future2 = await bookOne( freshDate(), '10:00' );
	const past = await bookOne( dateInDays( -3 ), '09:00' );
	const cancelled = await bookOne( freshDate(), '11:00' );
	const plain = await bookOne(
		freshDate(),
		'12:00',
		inPerson.mappingIds[ 0 ]!
	);
	await patient.rest( `kivicare/v1/appointments/${ cancelled }/status`, {
		method: 'PUT',
		body: { status: 0 },
	} );
	await setSettings( { sync_budget_ms: 3000 } );
	await query(
		`DELETE FROM ${ MAPPINGS } WHERE appointment_id IN (?, ?, ?, ?, ?)`,
		[ future1, future2, past, cancelled, plain ]
	);

	// freshDate() spreads appointments over the next years: look far enough ahead.
	const dry = await wp(
		'mfk sync',
		`--doctor=${ sc.doctor.id }`,
		'--days=4000',
		'--dry-run'
	);
	const [ listed ] = printed( dry, 'items' );
	expect( listed.map( ( i: { id: number } ) => i.id ) ).toEqual(
		[ future1, future2 ].sort( ( a, b ) => a - b )
	);
	expect( printed( dry, 'success' )[ 0 ] ).toBe(
		'2 appointment(s) would get a meeting.'
	);
	expect( await mapping( future1 ) ).toBeUndefined();

	const run = await wp(
		'mfk sync',
		`--doctor=${ sc.doctor.id }`,
		'--days=4000'
	);
	expect( printed( run, 'progress' ) ).toEqual( [
		{ message: 'Recording meetings', count: 2, ticks: 2 },
		{ message: 'Creating Meet links', count: 2, ticks: 2 },
	] );
	expect( printed( run, 'success' ) ).toEqual( [
		'2 meeting(s): 2 ready, 0 waiting, 0 failed.',
	] );
	const events = await calendarEvents( sc.doctorEmail );
	for ( const id of [ future1, future2 ] ) {
		const row = await mapping( id );
		expect( row ).toMatchObject( { state: 'ready', desired: 'active' } );
		expect(
			events.filter(
				( e ) =>
					e.extendedProperties?.private?.mfkAppointmentId ===
					String( id )
			)
		).toHaveLength( 1 );
	}
	for ( const id of [ past, cancelled, plain ] ) {
		expect( await mapping( id ) ).toBeUndefined();
	}

	const again = await wp(
		'mfk sync',
		`--doctor=${ sc.doctor.id }`,
		'--days=4000'
	);
	expect( printed( again, 'success' )[ 0 ] ).toMatch( /has its meeting/ );
} );

it( 'retry re-runs failed meetings; without ids or --failed it stops with an error', async () => {
	const res = await book( patient, {
		appointmentStartDate: freshDate(),
		appointmentStartTime: '14:00',
		doctorId: sc.doctor.id,
		patientId: sc.patient.id,
		serviceId: [ sc.mappingId ],
		status: 1,
	} );
	const id = res.body.data.appointment_id as number;
	expect( ( await mapping( id ) )!.state ).toBe( 'ready' );
	// Google's quota ran out at some point; the meeting failed for good.
	await query(
		`UPDATE ${ MAPPINGS } SET state = 'failed', sync_state = 'failed', last_error_code = 'quota_exceeded', last_error_message = 'Quota exceeded', next_attempt_at = NULL WHERE appointment_id = ?`,
		[ id ]
	);

	const queued = await wp(
		'mfk retry',
		'--failed',
		`--doctor=${ sc.doctor.id }`,
		'--no-run'
	);
	// Waiting again, and still with the link it had: the failure was the latest change's.
	expect( printed( queued, 'success' )[ 0 ] ).toMatch(
		/^1 meeting\(s\): 0 ready, 1 waiting, 0 failed\. 1 of them waiting or failed keeps its working link\.$/
	);
	expect( ( await mapping( id ) )!.state ).toBe( 'pending' );

	await query(
		`UPDATE ${ MAPPINGS } SET state = 'failed', sync_state = 'failed' WHERE appointment_id = ?`,
		[ id ]
	);
	const run = await wp( 'mfk retry', String( id ) );
	expect( printed( run, 'success' ) ).toEqual( [
		'1 meeting(s): 1 ready, 0 waiting, 0 failed.',
	] );
	expect( await mapping( id ) ).toMatchObject( {
		state: 'ready',
		last_error_code: '',
	} );

	const nothing = await wp( 'mfk retry' );
	expect( nothing.halted ).toBe( true );
	expect( printed( nothing, 'error' )[ 0 ] ).toMatch(
		/appointment ids, or use --failed/
	);

	const unknown = await wp( 'mfk retry', '999999999' );
	expect( unknown.halted ).toBe( true );
	expect( printed( unknown, 'warning' )[ 0 ] ).toMatch(
		/Appointment 999999999: The appointment does not exist/
	);
} );
