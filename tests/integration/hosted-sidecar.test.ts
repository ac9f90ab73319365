/**
 * A hosted sidecar fleet serving a WordPress network end to end: three sites (the blogs of a
 * multisite network, each its own site with its own enrolment) call two sidecar replicas (the
 * bundle, as processes) over HTTPS through a round-robin TCP balancer, the replicas sharing
 * replay protection and limits through Redis. Isolation, replay across replicas, revocation,
 * master-key rotation, Redis down, and the plugin's transport checks.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import https from 'node:https';
import path from 'node:path';
import { createThrowawayInstance, destroy, up } from '../harness/instance';
import { freePort, type Instance } from '../harness/instances';
import { SIDECAR_BUNDLE, SIDECAR_LAUNCHER } from '../harness/paths';
import { stopService } from '../harness/proc';
import { startRedis, type RedisServer } from '../harness/redis';
import { sidecarEnv } from '../harness/services';
import { startTcpBalancer, type TcpBalancer } from '../harness/tcp-balancer';
import { makeCertificates, type TestCertificates } from '../harness/tls';
import { wpJsonIn } from '../harness/wp-eval';
import { signedHeaders } from '../../src/sidecar/signing/signature';
import { CLIENT_ID, CLIENT_SECRET } from './support/meet';
import { makeNetwork } from './support/multisite';

const NAME = `mfk-hosted-${ process.pid }`;
const master = ( kid: string ) =>
	`${ kid }:${ randomBytes( 32 ).toString( 'base64' ) }`;

interface Replica {
	port: number;
	child: ChildProcess;
	out: () => string;
}

let site: Instance;
let certs: TestCertificates;
let redis: RedisServer;
let balancer: TcpBalancer;
let replicas: Replica[] = [];
let masterKeys = master( 'm1' );
let revokedFile: string;
let blogs: Array< { blog: number; siteId: string; key: string } > = [];

const php = < T = any >( code: string, args?: unknown ) =>
	wpJsonIn< T >( site, code, args );

/** What `enrol` prints for a site id, from the bundle with the fleet's master keys. */
function enrolmentKey( siteId: string ): string {
	const out = execFileSync(
		process.execPath,
		[ SIDECAR_BUNDLE, 'enrol', '--site-id', siteId, '--json' ],
		{
			env: { PATH: process.env.PATH ?? '', MFK_MASTER_KEYS: masterKeys },
			encoding: 'utf8',
		}
	);
	return JSON.parse( out ).enrolmentKey;
}

async function startReplica( port: number ): Promise< Replica > {
	const env = {
		...process.env,
		...sidecarEnv( site ),
		MFK_SHARED_SECRET: '',
		MFK_MASTER_KEYS: masterKeys,
		MFK_REDIS_URL: redis.url,
		MFK_TLS_CERT: certs.certFile,
		MFK_TLS_KEY: certs.keyFile,
		MFK_REVOKED_SITES_FILE: revokedFile,
		MFK_SIDECAR_PORT: String( port ),
	};
	// Started as it ships (bin/sidecar execs node, so signals reach the sidecar itself).
	const child = spawn( 'sh', [ SIDECAR_LAUNCHER ], {
		env: { ...env, MFK_NODE: process.execPath },
		stdio: [ 'ignore', 'pipe', 'pipe' ],
	} );
	let out = '';
	child.stdout?.on( 'data', ( d: Buffer ) => ( out += d.toString() ) );
	child.stderr?.on( 'data', ( d: Buffer ) => ( out += d.toString() ) );
	while ( ! out.includes( '"msg":"sidecar listening"' ) ) {
		if ( child.exitCode !== null ) {
			throw new Error( `sidecar replica exited: ${ out }` );
		}
		await new Promise( ( r ) => setTimeout( r, 25 ) );
	}
	return { port, child, out: () => out };
}

async function stopReplicas(): Promise< void > {
	await Promise.all(
		replicas.map( ( r ) => {
			if ( r.child.exitCode !== null ) {
				return undefined;
			}
			const exited = new Promise( ( resolve ) =>
				r.child.once( 'exit', resolve )
			);
			r.child.kill( 'SIGTERM' );
			return exited;
		} )
	);
}

/** MFK_Health::sidecar() of one blog, as Test connection and Site Health see it, with the words. */
function health( blog: number ) {
	return php(
		`switch_to_blog( $args['blog'] );
		$h = MFK_Health::sidecar( 5.0 );
		$h['diagnosis'] = MFK_Sidecar_Diagnosis::explain( $h );
		return $h;`,
		{ blog }
	);
}

beforeAll( async () => {
	site = await createThrowawayInstance( NAME, {
		plugin: true,
		standIn: false,
		googleServices: true,
		disableWpCron: true,
		autoLogin: false,
	} );
	await up( site );
	// The fleet replaces the instance's own sidecar.
	await stopService( site, 'sidecar' );
	certs = makeCertificates( [ 'localhost' ] );
	redis = await startRedis();
	revokedFile = path.join( certs.dir, 'revoked-sites' );
	writeFileSync( revokedFile, '' );
	const ports = [ await freePort(), await freePort() ];
	replicas = [
		await startReplica( ports[ 0 ] as number ),
		await startReplica( ports[ 1 ] as number ),
	];
	balancer = await startTcpBalancer( ports );
	await makeNetwork(
		site,
		`define( 'MFK_SIDECAR_URL', 'https://localhost:${ balancer.port }' );
define( 'MFK_SIDECAR_CA_BUNDLE', ${ JSON.stringify( certs.caFile ) } );
`
	);
	await fetch( `${ site.urls.emulator }/__emulator/clients`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify( {
			clientId: CLIENT_ID,
			clientSecret: CLIENT_SECRET,
			redirectUris: [ `${ site.urls.wordpress }/cb` ],
		} ),
	} );
	const ids = await php< Array< { blog: number; siteId: string } > >(
		`require_once ABSPATH . 'wp-admin/includes/plugin.php';
		$host = parse_url( home_url(), PHP_URL_HOST ) . ':' . parse_url( home_url(), PHP_URL_PORT );
		$ids  = array( 1 );
		foreach ( array( '/second/', '/third/' ) as $path ) {
			$ids[] = (int) wp_insert_site( array( 'domain' => $host, 'path' => $path, 'title' => $path ) );
		}
		$r = activate_plugin( 'meet-for-kivicare/plugin.php', '', true );
		if ( is_wp_error( $r ) ) { throw new RuntimeException( $r->get_error_message() ); }
		$out = array();
		foreach ( $ids as $blog ) {
			switch_to_blog( $blog );
			$out[] = array( 'blog' => $blog, 'siteId' => MFK_Site::id() );
			restore_current_blog();
		}
		return $out;`
	);
	blogs = ids.map( ( b ) => ( { ...b, key: enrolmentKey( b.siteId ) } ) );
	// Each blog's administrator pastes its key and the OAuth client: saving seals the client
	// secret through the fleet already.
	const saved = await php< Array< true | Record< string, string > > >(
		`$out = array();
		foreach ( $args['blogs'] as $b ) {
			switch_to_blog( $b['blog'] );
			$r = MFK_Settings::update( array( 'sidecar_enrolment_key' => $b['key'], 'google_client_id' => $args['id'], 'google_client_secret' => $args['secret'] ) );
			$out[] = is_wp_error( $r ) ? $r->get_error_data()['params'] : true;
			restore_current_blog();
		}
		return $out;`,
		{ blogs, id: CLIENT_ID, secret: CLIENT_SECRET }
	);
	if ( saved.some( ( s ) => s !== true ) ) {
		throw new Error(
			`saving the enrolment keys failed: ${ JSON.stringify( saved ) }`
		);
	}
}, 240000 );

afterAll( async () => {
	await balancer?.close();
	await stopReplicas();
	await redis?.close();
	if ( site ) {
		await destroy( site );
	}
} );

test( 'each blog is its own site with its own enrolment, and reaches the fleet over HTTPS through the balancer', async () => {
	expect( new Set( blogs.map( ( b ) => b.siteId ) ).size ).toBe( 3 );
	const before = [ ...balancer.counts.values() ];
	for ( const { blog } of blogs ) {
		const h = await health( blog );
		expect( h ).toMatchObject( {
			reachable: true,
			signed: true,
			mode: 'hosted',
			hosted: true,
			diagnosis: null,
		} );
	}
	const after = [ ...balancer.counts.values() ];
	// Both replicas served the calls.
	expect( after.every( ( n, i ) => n > ( before[ i ] as number ) ) ).toBe(
		true
	);
} );

test( "a blog cannot act as another: another site's key is refused, its sealed blobs do not open, its figures are not shown", async () => {
	const [ , second, third ] = blogs as [
		unknown,
		( typeof blogs )[ 0 ],
		( typeof blogs )[ 0 ],
	];
	const result = await php(
		`switch_to_blog( $args['second'] );
		$other_key = MFK_Settings::update( array( 'sidecar_enrolment_key' => $args['thirdKey'] ) );
		$sealed_there = MFK_Settings::get( 'google_client_secret' );
		restore_current_blog();
		switch_to_blog( $args['third'] );
		$copied = MFK_Sidecar_Client::instance()->post( '/v1/connection/test', array( 'siteId' => MFK_Site::id(), 'client' => array( 'clientId' => $args['id'], 'clientSecret' => $sealed_there ) ) );
		$named = MFK_Sidecar_Client::instance()->post( '/v1/ping', array( 'siteId' => $args['secondId'] ) );
		$figures = MFK_Sidecar_Client::instance()->post( '/v1/site/metrics', array( 'siteId' => MFK_Site::id() ) );
		return array(
			'other_key' => is_wp_error( $other_key ) ? $other_key->get_error_data()['params'] : null,
			'copied'    => is_wp_error( $copied ) ? $copied->get_error_code() : $copied,
			'named'     => is_wp_error( $named ) ? $named->get_error_code() : $named,
			'figures'   => $figures,
		);`,
		{
			second: second.blog,
			third: third.blog,
			thirdKey: third.key,
			secondId: second.siteId,
			id: CLIENT_ID,
		}
	);
	expect( result.other_key.sidecar_enrolment_key ).toContain(
		`made for the site id ${ third.siteId }`
	);
	// A blob bound to another site does not open; AES-GCM cannot tell that from a replaced key
	// (docs/sidecar-api.md, seal_key_unknown).
	expect( result.copied ).toBe( 'seal_key_unknown' );
	expect( result.named ).toBe( 'site_mismatch' );
	expect( result.figures.siteId ).toBe( third.siteId );
	expect( JSON.stringify( result.figures ) ).not.toContain( second.siteId );
} );

test( 'a request replayed to the other replica is refused', async () => {
	const [ first ] = blogs as [ ( typeof blogs )[ 0 ] ];
	const secret = first.key.split( '.' )[ 3 ] as string;
	const raw = JSON.stringify( { siteId: first.siteId } );
	const headers = {
		'content-type': 'application/json',
		'x-mfk-site': first.siteId,
		'x-mfk-key-id': 'm1',
		...signedHeaders( secret, {
			method: 'POST',
			path: '/v1/ping',
			body: raw,
		} ),
	};
	const send = ( port: number ) =>
		new Promise< { status: number; body: any } >( ( resolve, reject ) => {
			const req = https.request(
				{
					host: 'localhost',
					port,
					method: 'POST',
					path: '/v1/ping',
					headers,
					ca: certs.ca,
				},
				( res: any ) => {
					let text = '';
					res.on( 'data', ( c: Buffer ) => ( text += c ) );
					res.on( 'end', () =>
						resolve( {
							status: res.statusCode,
							body: JSON.parse( text ),
						} )
					);
				}
			);
			req.on( 'error', reject );
			req.end( raw );
		} );
	expect( ( await send( replicas[ 0 ]!.port ) ).status ).toBe( 200 );
	const replayed = await send( replicas[ 1 ]!.port );
	expect( replayed ).toMatchObject( {
		status: 401,
		body: { code: 'unauthorized', data: { reason: 'replay' } },
	} );
} );

test( 'while Redis is down the fleet refuses signed calls and is not ready; the site is told, and the queue will retry', async () => {
	await redis.stop();
	try {
		const h = await health( blogs[ 0 ]!.blog );
		expect( h ).toMatchObject( {
			reachable: true,
			signed: false,
			code: 'shared_state_unavailable',
		} );
		expect( h.diagnosis.message ).toMatch(
			/cannot reach the state its replicas share/
		);
		const retry = await php(
			`return MFK_Retry_Policy::is_retryable( 'shared_state_unavailable', array( 'retryable' => true ) );`
		);
		expect( retry ).toBe( true );
		const readiness = await php(
			`$r = ( new MFK_Sidecar_Client() )->probe( '/readyz' ); return is_wp_error( $r ) ? $r->get_error_code() : 'ready';`
		);
		expect( readiness ).toBe( 'sidecar_not_ready' );
	} finally {
		await redis.start();
	}
	let h = await health( blogs[ 0 ]!.blog );
	while ( ! h.signed ) {
		await new Promise( ( r ) => setTimeout( r, 200 ) );
		h = await health( blogs[ 0 ]!.blog );
	}
	expect( h.signed ).toBe( true );
} );

test( 'a revoked site is refused by every replica as soon as they reload the list; the other sites keep working', async () => {
	const third = blogs[ 2 ]!;
	appendFileSync( revokedFile, `${ third.siteId }\n` );
	for ( const r of replicas ) {
		const before = ( r.out().match( /reloaded the revoke list/g ) ?? [] )
			.length;
		r.child.kill( 'SIGHUP' );
		while (
			( r.out().match( /reloaded the revoke list/g ) ?? [] ).length ===
			before
		) {
			await new Promise( ( resolve ) => setTimeout( resolve, 20 ) );
		}
	}
	// Twice: each replica answers one of the calls.
	for ( let i = 0; i < 2; i++ ) {
		const h = await health( third.blog );
		expect( h ).toMatchObject( { signed: false, code: 'site_revoked' } );
		expect( h.diagnosis.message ).toMatch(
			/revoked this site's enrolment/
		);
	}
	expect( ( await health( blogs[ 1 ]!.blog ) ).signed ).toBe( true );
} );

test( 'master-key rotation: with a new key first every enrolled site keeps working; a site re-keyed with the new key works too', async () => {
	await balancer.close();
	await stopReplicas();
	const old = masterKeys;
	masterKeys = `${ master( 'm2' ) },${ old }`;
	writeFileSync( revokedFile, '' );
	const ports = replicas.map( ( r ) => r.port );
	replicas = [
		await startReplica( ports[ 0 ] as number ),
		await startReplica( ports[ 1 ] as number ),
	];
	balancer = await startTcpBalancer( ports, balancer.port );
	for ( const { blog } of blogs ) {
		expect( ( await health( blog ) ).signed ).toBe( true );
	}
	const second = blogs[ 1 ]!;
	const rekeyed = enrolmentKey( second.siteId );
	expect( rekeyed ).toMatch( /^mfke1\.m2\./ );
	const saved = await php(
		`switch_to_blog( $args['blog'] ); $r = MFK_Settings::update( array( 'sidecar_enrolment_key' => $args['key'] ) ); return ! is_wp_error( $r );`,
		{ blog: second.blog, key: rekeyed }
	);
	expect( saved ).toBe( true );
	expect( ( await health( second.blog ) ).signed ).toBe( true );
} );

test( 'the plugin refuses a plain http:// sidecar beyond loopback and explains certificate problems', async () => {
	const result = await php(
		`$saved = MFK_Settings::update( array( 'sidecar_url' => 'http://sidecar.example.com:8787' ) );
		$call  = ( new MFK_Sidecar_Client( 'http://10.20.30.40:8787', str_repeat( 'x', 32 ) ) )->post( '/v1/ping', array( 'siteId' => MFK_Site::id() ) );
		add_filter( 'mfk_sidecar_ca_bundle', '__return_empty_string' );
		MFK_Sidecar_Client::reset();
		$untrusted = MFK_Health::sidecar( 5.0 );
		$untrusted['diagnosis'] = MFK_Sidecar_Diagnosis::explain( $untrusted );
		return array(
			'saved'     => is_wp_error( $saved ) ? $saved->get_error_data()['params'] : null,
			'call'      => is_wp_error( $call ) ? $call->get_error_code() : null,
			'untrusted' => $untrusted,
		);`
	);
	expect( result.saved.sidecar_url ).toMatch( /must start with https:\/\// );
	expect( result.call ).toBe( 'sidecar_insecure_url' );
	expect( result.untrusted ).toMatchObject( {
		reachable: false,
		code: 'sidecar_unavailable',
		cause: 'tls_untrusted',
	} );
	expect( result.untrusted.diagnosis.message ).toMatch(
		/certificate is not trusted/
	);
	expect( result.untrusted.diagnosis.hint ).toMatch(
		/MFK_SIDECAR_CA_BUNDLE/
	);
} );
