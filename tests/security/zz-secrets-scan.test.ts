/**
 * The secrets scan, run last (tests/security/sequencer.cjs orders it after every other file of
 * the reliability and security suites). It gathers every secret of the instance — the sidecar
 * shared secret, the sealing keys, the OAuth client secret, every refresh and access token
 * Google (the emulator) ever issued, and the sealed blobs WordPress stores — and looks for them
 * in everything that left the server during the run: the REST answers, pages, browser traffic,
 * cookies and storage, and e-mails the suites collected (tests/artifacts/security/collected/),
 * the e-mails in the SMTP sink, and the logs (PHP's debug.log, the sidecar's, the emulator's,
 * PHP's web server). Then the database: every table is read, and no plaintext secret may be in
 * it; doctors' credentials and the client secret must be sealed blobs.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DB_NAME } from '../harness/instances';
import { harness, instance, query, wpJson } from '../harness/testkit';
import { CLIENT_SECRET } from '../integration/support/meet';
import { collectedFiles, forget, readCollected } from './support/collect';
import { recordSecurity } from './support/figures';

const SEALED = /^mfk1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

interface Secret {
	kind: string;
	value: string;
}

async function secrets(): Promise< { plain: Secret[]; sealed: Secret[] } > {
	const h = harness();
	const plain: Secret[] = [
		{ kind: 'sidecar shared secret', value: h.sidecarSecret },
		{ kind: 'OAuth client secret', value: CLIENT_SECRET },
		...h.sealKeys.split( ',' ).map( ( k ) => ( {
			kind: 'sealing key',
			value: k.slice( k.indexOf( ':' ) + 1 ),
		} ) ),
	];
	const res = await fetch( `${ h.emulatorUrl }/__emulator/tokens` );
	const { tokens } = ( await res.json() ) as {
		tokens: Array< { type: string; token: string } >;
	};
	for ( const t of tokens ) {
		plain.push( { kind: `${ t.type } token`, value: t.token } );
	}
	const blobs = await wpJson< { credentials: string[]; client: string } >(
		`global $wpdb;
		return array(
			'credentials' => array_values( array_filter( $wpdb->get_col( "SELECT meta_value FROM {$wpdb->usermeta} WHERE meta_key = 'mfk_google_credential'" ) ) ),
			'client' => (string) MFK_Settings::get( 'google_client_secret' ),
		);`
	);
	const sealed: Secret[] = [
		...blobs.credentials.map( ( value ) => ( {
			kind: 'sealed doctor credential',
			value,
		} ) ),
		...( blobs.client
			? [ { kind: 'sealed client secret', value: blobs.client } ]
			: [] ),
	];
	return { plain, sealed };
}

/** JSON and PHP escape slashes (`\/`); tokens contain them. */
function normalize( text: string ): string {
	return text.replace( /\\\//g, '/' );
}

function find( haystack: string, needles: Secret[] ): Secret[] {
	const text = normalize( haystack );
	return needles.filter(
		( n ) => n.value.length >= 12 && text.includes( n.value )
	);
}

function logFiles(): string[] {
	const dir = instance().dir;
	const files = [
		'debug.log',
		'sidecar.log',
		'emulator.log',
		'wordpress.log',
		'smtp.log',
		'mariadb.log',
	].map( ( f ) => path.join( dir, f ) );
	const mailDir = instance().paths.mailDir;
	const mails = existsSync( mailDir )
		? readdirSync( mailDir ).map( ( f ) => path.join( mailDir, f ) )
		: [];
	return [ ...files, ...mails ].filter( ( f ) => existsSync( f ) );
}

it( 'finds no secret in anything that left the server, in any log, or in clear in the database', async () => {
	const { plain, sealed } = await secrets();
	expect(
		plain.filter( ( s ) => s.kind.endsWith( 'token' ) ).length
	).toBeGreaterThan( 0 );
	const everything = [ ...plain, ...sealed ];
	const findings: string[] = [];
	let bytes = 0;

	// What the suites received: REST, pages, browser, mail.
	const files = collectedFiles();
	let answers = 0;
	const kinds: Record< string, number > = {};
	for ( const item of readCollected( files ) ) {
		answers++;
		kinds[ item.kind ] = ( kinds[ item.kind ] ?? 0 ) + 1;
		bytes += item.body.length;
		for ( const s of find( item.body, everything ) ) {
			findings.push(
				`${ s.kind } in ${ item.kind } answer: ${ item.source.slice( 0, 120 ) }`
			);
		}
	}

	// Logs and e-mails on disk. Sealed blobs must not be logged either.
	for ( const file of logFiles() ) {
		const text = readFileSync( file, 'utf8' );
		bytes += text.length;
		for ( const s of find( text, everything ) ) {
			findings.push(
				`${ s.kind } in ${ path.relative( instance().dir, file ) }`
			);
		}
	}

	// The database: no plaintext secret anywhere; credentials sealed.
	const tables = await query< { TABLE_NAME: string } >(
		'SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?',
		[ DB_NAME ]
	);
	let rows = 0;
	for ( const { TABLE_NAME: table } of tables ) {
		const all = await query( `SELECT * FROM \`${ table }\`` );
		rows += all.length;
		const text = JSON.stringify( all );
		bytes += text.length;
		for ( const s of find( text, plain ) ) {
			findings.push( `${ s.kind } in clear in table ${ table }` );
		}
	}
	const unsealed = sealed.filter( ( s ) => ! SEALED.test( s.value ) );
	for ( const s of unsealed ) {
		findings.push( `${ s.kind } stored unsealed` );
	}

	recordSecurity( {
		id: 'secrets-scan',
		title: 'Secrets scan after the suites',
		attempts: everything.length,
		held: everything.length - new Set( findings ).size,
		failures: findings.length,
		details: {
			'secrets looked for': everything.length,
			'refresh/access tokens': plain.filter( ( s ) =>
				s.kind.endsWith( 'token' )
			).length,
			'sealed blobs': sealed.length,
			'answers collected': answers,
			...Object.fromEntries(
				Object.entries( kinds ).map( ( [ k, n ] ) => [
					`${ k } answers`,
					n,
				] )
			),
			'log and mail files': logFiles().length,
			'database rows': rows,
			'MB scanned': Math.round( bytes / 1048576 ),
			findings: findings.length,
		},
		problems: findings,
	} );
	expect( findings ).toEqual( [] );
	expect( sealed.length ).toBeGreaterThan( 0 );
	expect( answers ).toBeGreaterThan( 0 );
	forget( files );
}, 300000 );
