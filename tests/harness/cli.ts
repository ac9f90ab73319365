/**
 * Command line of the harness (used by ./bin/dev):
 *
 *   tsx tests/harness/cli.ts start [instance]   set up, start, seed, print, stay in the foreground
 *   tsx tests/harness/cli.ts up [instance]      set up and start in the background, then exit
 *   tsx tests/harness/cli.ts down [instance]    stop every process of the instance
 *   tsx tests/harness/cli.ts status [instance]  list running processes
 *   tsx tests/harness/cli.ts reset [instance]   stop and delete the instance's state
 *   tsx tests/harness/cli.ts seed [instance]    (re)create the demo clinic (tests/harness/demo.ts)
 *   tsx tests/harness/cli.ts info [instance]    URLs, ports and paths as JSON
 *   tsx tests/harness/cli.ts eval [instance] '<php code>'
 *
 * The instance defaults to `dev` for start, `test` otherwise.
 */
import path from 'node:path';
import {
	ADMIN_PASSWORD,
	ADMIN_USER,
	getInstance,
	getSecrets,
	type Instance,
} from './instances';
import {
	destroy,
	down,
	SERVICES,
	status,
	up,
	type ServiceName,
} from './instance';
import { seedDemo, type DemoAppointment, type DemoResult } from './demo';
import { isAlive, readRecord } from './proc';
import { wpEvalIn } from './wp-eval';

const rel = ( file: string ) => path.relative( process.cwd(), file ) || '.';

const seed = ( instance: Instance ): Promise< DemoResult > =>
	seedDemo( instance );

function loginLink( instance: Instance, login: string, to?: string ): string {
	const token = getSecrets( instance ).loginToken;
	const target = to ? `&to=${ encodeURIComponent( to ) }` : '';
	return `${ instance.urls.wordpress }/?mfk-login=${ encodeURIComponent( login ) }&token=${ token }${ target }`;
}

/** One demo appointment on one line: when, who, and what its meeting is. */
function describeAppointment(
	appointment: DemoAppointment,
	names: Record< string, string >
): string {
	const who = `${ names[ appointment.patient ] ?? appointment.patient } with ${ names[ appointment.doctor ] ?? appointment.doctor }`;
	let what = 'in person, no video';
	if ( appointment.status === 0 ) {
		what = 'video, cancelled: its meeting is removed';
	} else if ( appointment.status === 2 ) {
		what = 'video, awaiting online payment: link pending';
	} else if ( appointment.meeting === 'ready' ) {
		const open = appointment.key === 'open_now' ? ', open now' : '';
		what = `video, Meet link ready${ open }`;
	} else if ( appointment.meeting ) {
		what = `video, meeting ${ appointment.meeting }`;
	}
	return `    ${ appointment.when.padEnd( 26 ) } ${ who.padEnd( 32 ) } ${ what }`;
}

function banner(
	instance: Instance,
	missing: ServiceName[],
	seeded: DemoResult
): string {
	const url = instance.urls.wordpress;
	const lines = [
		'',
		`Meet for KiviCare is running (harness instance "${ instance.name }")`,
		'',
		`  Site             ${ url }/`,
		`  wp-admin         ${ url }/wp-admin/   user "${ ADMIN_USER }", password "${ ADMIN_PASSWORD }"`,
	];
	if ( instance.options.autoLogin ) {
		lines.push(
			`  Auto-login       ${ loginLink( instance, ADMIN_USER ) }`
		);
	}
	if ( seeded.accounts.length ) {
		lines.push(
			'',
			`  Demo accounts (password "${ ADMIN_PASSWORD }")${ instance.options.autoLogin ? ', with one-click login links' : '' }:`
		);
		for ( const account of seeded.accounts ) {
			lines.push(
				`    ${ account.login.padEnd( 14 ) } ${ account.role.padEnd( 24 ) } ${ account.name.padEnd( 16 ) } ${ instance.options.autoLogin ? loginLink( instance, account.login ) : '' }`.trimEnd()
			);
		}
	}
	if ( seeded.page ) {
		lines.push( `  Meet controls    ${ seeded.page }` );
	}
	if ( seeded.booking ) {
		lines.push( `  Booking form     ${ seeded.booking }  (as a patient)` );
	}
	if ( seeded.google ) {
		lines.push(
			seeded.google.doctorAccount
				? `  Google           emulator's OAuth client; "doctor" is connected as ${ seeded.google.doctorAccount }, "doctor2" is not`
				: '  Google           not set up (see below)'
		);
	}
	if ( seeded.appointments.length ) {
		const names = Object.fromEntries(
			seeded.accounts.map( ( a ) => [ a.login, a.name ] )
		);
		lines.push( '', '  Demo appointments:' );
		for ( const appointment of seeded.appointments ) {
			lines.push( describeAppointment( appointment, names ) );
		}
	}
	const open = seeded.appointments.find(
		( a ) => a.key === 'open_now' && a.meeting === 'ready'
	);
	if ( open && seeded.page ) {
		lines.push(
			'',
			'  Try it: the consultation starting now has its buttons open.',
			instance.options.autoLogin
				? `    Join as the patient    ${ loginLink( instance, open.patient, seeded.page ) }`
				: `    Join: log in as "${ open.patient }" and open ${ seeded.page }`,
			instance.options.autoLogin
				? `    Start as the doctor    ${ loginLink( instance, open.doctor, seeded.page ) }`
				: `    Start: log in as "${ open.doctor }" and open ${ seeded.page }`
		);
	}
	for ( const problem of seeded.problems ) {
		lines.push( `  Not seeded: ${ problem }` );
	}
	lines.push(
		'',
		missing.includes( 'sidecar' )
			? '  Sidecar          not built yet (npm run build:sidecar)'
			: `  Sidecar          ${ instance.urls.sidecar }/healthz`,
		missing.includes( 'emulator' )
			? '  Google emulator  not built yet (npm run build:sidecar)'
			: `  Google emulator  ${ instance.urls.emulator }/  (stands in for Google OAuth + Calendar)`,
		`  Mail             SMTP sink on 127.0.0.1:${ instance.ports.smtp }; every message is saved as JSON in ${ rel( instance.paths.mailDir ) }/`,
		`  Logs             ${ rel( instance.dir ) }/*.log; PHP notices in ${ rel( instance.paths.debugLog ) }`,
		instance.options.disableWpCron
			? '  Cron             off (DISABLE_WP_CRON); run it explicitly'
			: `  Cron             ${ url }/wp-cron.php is called every 60 s`,
		'',
		'Press Ctrl-C to stop everything started here.',
		''
	);
	return lines.join( '\n' );
}

async function start( instance: Instance ): Promise< void > {
	const result = await up( instance );
	const seeded = await seed( instance );
	process.stdout.write( banner( instance, result.missing, seeded ) + '\n' );

	// A system-cron stand-in: WordPress's scheduled events run even when nobody browses.
	const cron = setInterval( () => {
		fetch( `${ instance.urls.wordpress }/wp-cron.php`, {
			signal: AbortSignal.timeout( 55000 ),
		} )
			.then( ( response ) => response.arrayBuffer() )
			.catch( ( error: Error ) =>
				process.stderr.write(
					`[harness] wp-cron.php: ${ error.message }\n`
				)
			);
	}, 60000 );

	// Tell the user when a process dies instead of letting pages fail mysteriously.
	const watched = new Map(
		SERVICES.map( ( service ) => [
			service,
			readRecord( instance, service )?.pid,
		] )
	);
	const watch = setInterval( () => {
		for ( const [ service, pid ] of watched ) {
			if ( pid && ! isAlive( pid ) ) {
				process.stderr.write(
					`[harness] ${ service } (pid ${ pid }) stopped; see ${ rel( path.join( instance.dir, `${ service }.log` ) ) }\n`
				);
				watched.delete( service );
			}
		}
	}, 2000 );

	let stopping = false;
	const stop = async ( signal: string ) => {
		if ( stopping ) {
			return;
		}
		stopping = true;
		clearInterval( cron );
		clearInterval( watch );
		process.stdout.write(
			`\n${ signal }: stopping ${ result.started.join( ', ' ) || 'nothing (all processes were running before)' }…\n`
		);
		await down( instance, result.started );
		const left = SERVICES.filter( ( service ) =>
			readRecord( instance, service )
		);
		if ( left.length ) {
			process.stdout.write(
				`Still running (started before): ${ left.join( ', ' ) }. Stop them with ./bin/dev stop\n`
			);
		}
		process.exit( 0 );
	};
	process.on( 'SIGINT', () => void stop( 'SIGINT' ) );
	process.on( 'SIGTERM', () => void stop( 'SIGTERM' ) );
	process.on( 'SIGHUP', () => void stop( 'SIGHUP' ) );
}

const USAGE = `Usage: harness <command> [instance]

  start [instance]    set up, start, seed, print, stay in the foreground (default: dev)
  up [instance]       set up and start in the background, then exit (default: test)
  down [instance]     stop every process of the instance
  status [instance]   list running processes
  reset [instance]    stop and delete the instance's state
  seed [instance]     (re)create the demo clinic
  info [instance]     URLs, ports and paths as JSON
  eval [instance] '<php code>'   run PHP inside the instance's WordPress
`;

async function main( argv: string[] ): Promise< void > {
	const [ command = 'help', ...rest ] = argv;
	const fallback = command === 'start' ? 'dev' : 'test';
	const name =
		rest[ 0 ] && ! rest[ 0 ].startsWith( '-' ) ? rest[ 0 ] : fallback;
	switch ( command ) {
		case 'start':
			await start( getInstance( name ) );
			return;
		case 'up': {
			const result = await up( getInstance( name ) );
			process.stdout.write(
				`${ getInstance( name ).urls.wordpress }/ (started: ${ result.started.join( ', ' ) || 'nothing' })\n`
			);
			return;
		}
		case 'down':
		case 'stop': {
			const stopped = await down( getInstance( name ) );
			process.stdout.write(
				`Stopped: ${ stopped.join( ', ' ) || 'nothing was running' }\n`
			);
			return;
		}
		case 'status':
			process.stdout.write(
				JSON.stringify( status( getInstance( name ) ), null, 2 ) + '\n'
			);
			return;
		case 'reset':
			await destroy( getInstance( name ) );
			process.stdout.write(
				`Deleted ${ rel( getInstance( name ).dir ) }\n`
			);
			return;
		case 'seed':
			process.stdout.write(
				JSON.stringify( await seed( getInstance( name ) ), null, 2 ) +
					'\n'
			);
			return;
		case 'info':
			process.stdout.write(
				JSON.stringify( getInstance( name ), null, 2 ) + '\n'
			);
			return;
		case 'eval': {
			const code =
				rest.length > 1
					? rest.slice( 1 ).join( ' ' )
					: ( rest[ 0 ] ?? '' );
			const instance =
				rest.length > 1 ? getInstance( name ) : getInstance( 'test' );
			process.stdout.write( await wpEvalIn( instance, code ) );
			return;
		}
		default:
			process.stdout.write( USAGE );
			process.exitCode = command === 'help' ? 0 : 2;
	}
}

main( process.argv.slice( 2 ) ).catch( ( error: Error ) => {
	process.stderr.write( `${ error.message }\n` );
	process.exit( 1 );
} );
