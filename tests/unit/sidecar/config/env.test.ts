import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from '../../../../src/sidecar/config/env';

const valid = {
	MFK_SHARED_SECRET: 'x'.repeat( 32 ),
	MFK_SEAL_KEYS: `k1:${ randomBytes( 32 ).toString( 'base64' ) }`,
};

function problems( env: Record< string, string > ): string[] {
	try {
		loadConfig( env );
	} catch ( e ) {
		expect( e ).toBeInstanceOf( ConfigError );
		return ( e as ConfigError ).problems;
	}
	return [];
}

describe( 'configuration', () => {
	test( 'defaults: loopback, port 8787, Google endpoints', () => {
		const c = loadConfig( valid );
		expect( c ).toMatchObject( {
			host: '127.0.0.1',
			port: 8787,
			clockSkewSeconds: 300,
			maxBodyBytes: 262144,
			logLevel: 'info',
			google: {
				apiRoot: 'https://www.googleapis.com/',
				authUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
				tokenUrl: 'https://oauth2.googleapis.com/token',
				revokeUrl: 'https://oauth2.googleapis.com/revoke',
				userinfoUrl: 'https://openidconnect.googleapis.com/v1/userinfo',
			},
		} );
		expect( c.sealKeys[ 0 ]?.kid ).toBe( 'k1' );
		expect( c.metricsToken ).toBe( '' );
	} );

	test( 'a metrics token is 16-256 printable characters, never echoed', () => {
		const token = 'scrape-' + randomBytes( 12 ).toString( 'hex' );
		expect(
			loadConfig( { ...valid, MFK_METRICS_TOKEN: token } ).metricsToken
		).toBe( token );
		for ( const bad of [
			'short',
			'with a space in it here',
			'x'.repeat( 257 ),
		] ) {
			const list = problems( { ...valid, MFK_METRICS_TOKEN: bad } );
			expect( list ).toEqual( [
				expect.stringMatching( /^MFK_METRICS_TOKEN must be 16-256/ ),
			] );
			expect( list.join( ' ' ) ).not.toContain( bad );
		}
	} );

	test( 'reports every problem at once, naming the variables, never the secrets', () => {
		const list = problems( {
			MFK_SHARED_SECRET: 'too-short-secret',
			MFK_SEAL_KEYS: 'k1:abc',
			MFK_SIDECAR_PORT: '99999',
			MFK_LOG_LEVEL: 'loud',
			MFK_GOOGLE_TOKEN_URL: 'http://oauth.example.com/token',
			MFK_GOOGLE_API_ROOT: 'not a url',
			MFK_RETRY_BUDGET_MS: '-1',
		} );
		expect(
			list.map( ( p ) => p.split( ' ' )[ 0 ]?.replace( ':', '' ) )
		).toEqual( [
			'MFK_SIDECAR_PORT',
			'MFK_SHARED_SECRET',
			'MFK_SEAL_KEYS',
			'MFK_LOG_LEVEL',
			'MFK_GOOGLE_API_ROOT',
			'MFK_GOOGLE_TOKEN_URL',
			'MFK_RETRY_BUDGET_MS',
		] );
		expect( list.join( '\n' ) ).not.toContain( 'too-short-secret' );
	} );

	test( 'requires the secret and the keys', () => {
		expect( problems( {} ) ).toEqual( [
			expect.stringMatching( /^MFK_SHARED_SECRET is required/ ),
			expect.stringMatching( /^MFK_SEAL_KEYS is required/ ),
		] );
	} );

	test( 'plain HTTP endpoints only on loopback', () => {
		const c = loadConfig( {
			...valid,
			MFK_GOOGLE_API_ROOT: 'http://127.0.0.1:8789/',
			MFK_GOOGLE_TOKEN_URL: 'http://localhost:8789/token',
		} );
		expect( c.google.apiRoot ).toBe( 'http://127.0.0.1:8789/' );
		expect(
			problems( {
				...valid,
				MFK_GOOGLE_REVOKE_URL: 'http://10.0.0.5/revoke',
			} )
		).toEqual( [
			expect.stringMatching( /^MFK_GOOGLE_REVOKE_URL must use https/ ),
		] );
	} );
} );
