/**
 * The hosted sidecar's settings: master keys and the shared secret exclude each other, the
 * revoke list is checked, Redis URLs are never repeated in messages.
 */
import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from '../../../../src/sidecar/config/env';

const key = ( kid: string ) =>
	`${ kid }:${ randomBytes( 32 ).toString( 'base64' ) }`;
const base = { MFK_SEAL_KEYS: key( 'k1' ) };

function problems( env: Record< string, string > ): string[] {
	try {
		loadConfig( env );
		return [];
	} catch ( error ) {
		return ( error as ConfigError ).problems;
	}
}

test( 'MFK_MASTER_KEYS turns the sidecar into a hosted one without a shared secret', () => {
	const config = loadConfig( {
		...base,
		MFK_MASTER_KEYS: `${ key( 'm2' ) },${ key( 'm1' ) }`,
	} );
	expect( config.hosted?.masterKeys.map( ( k ) => k.kid ) ).toEqual( [
		'm2',
		'm1',
	] );
	expect( config.sharedSecret ).toBe( '' );
	expect( config.hosted?.siteRequestsPerMinute ).toBe( 6000 );
	expect(
		loadConfig( { ...base, MFK_SHARED_SECRET: 'x'.repeat( 32 ) } ).hosted
	).toBeNull();
} );

test( 'problems are named, secrets never repeated', () => {
	const found = problems( {
		...base,
		MFK_MASTER_KEYS: key( 'm1' ),
		MFK_SHARED_SECRET: 'y'.repeat( 40 ),
		MFK_REVOKED_SITES:
			'not a site id, 0b7c2f1e-1111-2222-3333-444455556666:m1',
		MFK_REDIS_URL: 'http://user:hunter2-password@redis:6379',
		MFK_SITE_REQUESTS_PER_MINUTE: '0',
	} );
	expect( found ).toEqual( [
		expect.stringMatching(
			/^MFK_REVOKED_SITES.*"not a site id" is not a site id/
		),
		expect.stringMatching(
			/^MFK_SITE_REQUESTS_PER_MINUTE must be an integer/
		),
		expect.stringMatching(
			/^MFK_REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/
		),
		expect.stringMatching(
			/^MFK_SHARED_SECRET and MFK_MASTER_KEYS exclude each other/
		),
	] );
	expect( found.join( '\n' ) ).not.toMatch( /hunter2|yyyy/ );
	expect( problems( { ...base } ) ).toEqual( [
		expect.stringMatching(
			/or MFK_MASTER_KEYS for a sidecar serving many sites/
		),
	] );
} );

test( 'a revoke list file that cannot be read stops the start', () => {
	expect(
		problems( {
			...base,
			MFK_MASTER_KEYS: key( 'm1' ),
			MFK_REVOKED_SITES_FILE: '/nonexistent/revoked',
		} )
	).toEqual( [
		'MFK_REVOKED_SITES_FILE: cannot read /nonexistent/revoked (ENOENT)',
	] );
} );
