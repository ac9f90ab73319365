/**
 * Transport: a sidecar with its own certificate answers HTTPS only; one listening beyond loopback
 * refuses to start without TLS unless a TLS proxy in front is declared.
 */
import https from 'node:https';
import http from 'node:http';
import { rmSync } from 'node:fs';
import { loadConfig, ConfigError } from '../../src/sidecar';
import { startSidecar, type RunningSidecar } from '../../src/sidecar/index';
import { makeCertificates, type TestCertificates } from '../harness/tls';
import { sealKeyEnv, SHARED_SECRET } from './support';

let certs: TestCertificates;
let sidecar: RunningSidecar;

const base = () => ( {
	MFK_SHARED_SECRET: SHARED_SECRET,
	MFK_SEAL_KEYS: sealKeyEnv(),
	MFK_SIDECAR_PORT: '0',
	MFK_LOG_LEVEL: 'silent',
} );

function get(
	url: string,
	options: https.RequestOptions = {}
): Promise< number > {
	return new Promise( ( resolve, reject ) => {
		const lib = url.startsWith( 'https:' ) ? https : http;
		const req = lib.get( url, { ...options, agent: false }, ( res ) => {
			res.resume();
			res.on( 'end', () => resolve( res.statusCode ?? 0 ) );
		} );
		req.on( 'error', reject );
	} );
}

beforeAll( async () => {
	certs = makeCertificates( [ 'localhost' ] );
	sidecar = await startSidecar(
		loadConfig( {
			...base(),
			MFK_TLS_CERT: certs.certFile,
			MFK_TLS_KEY: certs.keyFile,
		} ),
		{ warmUp: false }
	);
} );

afterAll( async () => {
	await sidecar?.close();
	rmSync( certs.dir, { recursive: true, force: true } );
} );

test( 'with its certificate, the sidecar answers HTTPS to a client trusting its CA, and nothing else', async () => {
	expect( sidecar.url ).toMatch( /^https:\/\/127\.0\.0\.1:\d+$/ );
	const url = sidecar.url.replace( '127.0.0.1', 'localhost' );
	expect( await get( `${ url }/healthz`, { ca: certs.ca } ) ).toBe( 200 );
	await expect( get( `${ url }/healthz` ) ).rejects.toThrow(
		/self-signed|unable to verify|local issuer/
	);
	await expect(
		get( sidecar.url.replace( 'https:', 'http:' ) + '/healthz' )
	).rejects.toThrow();
} );

test( 'a renewed certificate is taken on reload without a restart', async () => {
	sidecar.reload();
	expect(
		await get(
			`${ sidecar.url.replace( '127.0.0.1', 'localhost' ) }/healthz`,
			{ ca: certs.ca }
		)
	).toBe( 200 );
} );

test( 'listening beyond loopback needs a certificate or a declared TLS proxy', () => {
	expect( () =>
		loadConfig( { ...base(), MFK_SIDECAR_HOST: '0.0.0.0' } )
	).toThrow( ConfigError );
	expect( () =>
		loadConfig( { ...base(), MFK_SIDECAR_HOST: '0.0.0.0' } )
	).toThrow(
		/MFK_SIDECAR_HOST=0\.0\.0\.0 listens beyond loopback.*MFK_TLS_CERT and MFK_TLS_KEY.*MFK_TLS_TERMINATED_BY_PROXY=1/
	);
	expect(
		loadConfig( {
			...base(),
			MFK_SIDECAR_HOST: '0.0.0.0',
			MFK_TLS_TERMINATED_BY_PROXY: '1',
		} ).tlsTerminatedByProxy
	).toBe( true );
	expect(
		loadConfig( {
			...base(),
			MFK_SIDECAR_HOST: '0.0.0.0',
			MFK_TLS_CERT: certs.certFile,
			MFK_TLS_KEY: certs.keyFile,
		} ).tls
	).not.toBeNull();
	expect( () =>
		loadConfig( { ...base(), MFK_TLS_CERT: certs.certFile } )
	).toThrow( /go together/ );
	expect( () =>
		loadConfig( {
			...base(),
			MFK_TLS_CERT: '/nonexistent.pem',
			MFK_TLS_KEY: certs.keyFile,
		} )
	).toThrow( /cannot read \/nonexistent\.pem \(ENOENT\)/ );
	expect(
		loadConfig( { ...base(), MFK_SIDECAR_HOST: '127.0.0.1' } ).tls
	).toBeNull();
} );
