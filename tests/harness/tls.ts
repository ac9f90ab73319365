/**
 * Certificates for tests of the sidecar over HTTPS, made at test time with Debian's `openssl`: a
 * private certificate authority and a server certificate it signed for `localhost` and
 * 127.0.0.1, as an operator's private CA would issue one.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { program } from './programs';

export interface TestCertificates {
	dir: string;
	/** The CA's certificate (what WordPress is told to trust). */
	caFile: string;
	certFile: string;
	keyFile: string;
	ca: Buffer;
}

export function makeCertificates(
	names: string[] = [ 'localhost' ],
	dir = mkdtempSync( path.join( tmpdir(), 'mfk-tls-' ) )
): TestCertificates {
	const openssl = program( 'openssl' );
	const at = ( f: string ) => path.join( dir, f );
	const run = ( args: string[] ) =>
		execFileSync( openssl, args, { cwd: dir, stdio: 'pipe' } );
	run( [
		'req',
		'-x509',
		'-newkey',
		'ec',
		'-pkeyopt',
		'ec_paramgen_curve:P-256',
		'-nodes',
		'-days',
		'2',
		'-subj',
		'/CN=Meet for KiviCare test CA',
		'-keyout',
		at( 'ca.key' ),
		'-out',
		at( 'ca.pem' ),
	] );
	run( [
		'req',
		'-newkey',
		'ec',
		'-pkeyopt',
		'ec_paramgen_curve:P-256',
		'-nodes',
		'-subj',
		`/CN=${ names[ 0 ] }`,
		'-keyout',
		at( 'server.key' ),
		'-out',
		at( 'server.csr' ),
	] );
	writeFileSync(
		at( 'server.ext' ),
		`subjectAltName=${ [ ...names.map( ( n ) => `DNS:${ n }` ), 'IP:127.0.0.1' ].join( ',' ) }\nextendedKeyUsage=serverAuth\n`
	);
	run( [
		'x509',
		'-req',
		'-in',
		at( 'server.csr' ),
		'-CA',
		at( 'ca.pem' ),
		'-CAkey',
		at( 'ca.key' ),
		'-CAcreateserial',
		'-days',
		'2',
		'-extfile',
		at( 'server.ext' ),
		'-out',
		at( 'server.pem' ),
	] );
	return {
		dir,
		caFile: at( 'ca.pem' ),
		certFile: at( 'server.pem' ),
		keyFile: at( 'server.key' ),
		ca: readFileSync( at( 'ca.pem' ) ),
	};
}
