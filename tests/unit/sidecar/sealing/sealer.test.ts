import { randomBytes } from 'node:crypto';
import { SidecarError } from '../../../../src/sidecar/errors';
import { parseSealKeys, Sealer } from '../../../../src/sidecar/sealing/sealer';
import {
	openCredential,
	sealCredential,
} from '../../../../src/sidecar/sealing/credential';

const key = () => randomBytes( 32 ).toString( 'base64' );
const SITE = '8a6e0f4c-1d2b-4c3a-9e8f-7a6b5c4d3e2f';

function expectInvalid( fn: () => unknown ): void {
	let error: unknown;
	try {
		fn();
	} catch ( e ) {
		error = e;
	}
	expect( error ).toBeInstanceOf( SidecarError );
	expect( ( error as SidecarError ).code ).toBe( 'credential_invalid' );
}

describe( 'seal keys', () => {
	test( 'parses kid:base64 pairs, first one current', () => {
		const keys = parseSealKeys( `k2:${ key() }, k1:${ key() }` );
		expect( keys.map( ( k ) => k.kid ) ).toEqual( [ 'k2', 'k1' ] );
		expect( keys[ 0 ]?.key.length ).toBe( 32 );
	} );

	test.each( [
		[ 'no kid', `:${ key() }`, /key id/ ],
		[ 'kid with a dot', `k.1:${ key() }`, /key id/ ],
		[
			'short key',
			`k1:${ randomBytes( 16 ).toString( 'base64' ) }`,
			/32 random bytes/,
		],
		[ 'not base64', 'k1:!!!!', /32 random bytes/ ],
		[ 'duplicate kid', `k1:${ key() },k1:${ key() }`, /twice/ ],
		[ 'empty', ' , ', /no key/ ],
	] )( 'refuses %s', ( _name, raw, message ) => {
		expect( () => parseSealKeys( raw ) ).toThrow( message );
	} );

	test( 'error messages never contain key material', () => {
		const secret = randomBytes( 16 ).toString( 'base64' );
		let message = '';
		try {
			parseSealKeys( `k1:${ secret }` );
		} catch ( e ) {
			message = String( e );
		}
		expect( message ).toMatch( /32 random bytes/ );
		expect( message ).not.toContain( secret );
	} );
} );

describe( 'sealed blobs', () => {
	const sealer = new Sealer( parseSealKeys( `k1:${ key() }` ) );

	test( 'round trip, versioned format with key id, random IV', () => {
		const a = sealer.seal( 'the secret', 'client_secret', SITE );
		const b = sealer.seal( 'the secret', 'client_secret', SITE );
		expect( a ).toMatch( /^mfk1\.k1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/ );
		expect( a ).not.toBe( b );
		expect( a ).not.toContain( 'secret' );
		expect( sealer.open( a, 'client_secret', SITE ) ).toEqual( {
			plaintext: 'the secret',
			kid: 'k1',
			stale: false,
		} );
	} );

	test( 'bound to purpose and site', () => {
		const blob = sealer.seal( 'x', 'client_secret', SITE );
		expectInvalid( () => sealer.open( blob, 'credential', SITE ) );
		expectInvalid( () =>
			sealer.open( blob, 'client_secret', 'another-site-0000' )
		);
	} );

	test( 'tampering anywhere is detected', () => {
		const blob = sealer.seal( 'payload', 'credential', SITE );
		const parts = blob.split( '.' );
		const flip = ( s: string ) =>
			( s[ 0 ] === 'A' ? 'B' : 'A' ) + s.slice( 1 );
		expectInvalid( () =>
			sealer.open(
				[
					parts[ 0 ],
					parts[ 1 ],
					flip( parts[ 2 ] as string ),
					parts[ 3 ],
				].join( '.' ),
				'credential',
				SITE
			)
		);
		expectInvalid( () =>
			sealer.open(
				[
					parts[ 0 ],
					parts[ 1 ],
					parts[ 2 ],
					flip( parts[ 3 ] as string ),
				].join( '.' ),
				'credential',
				SITE
			)
		);
		expectInvalid( () =>
			sealer.open( blob.slice( 0, -2 ), 'credential', SITE )
		);
		expectInvalid( () =>
			sealer.open( 'mfk2' + blob.slice( 4 ), 'credential', SITE )
		);
		expectInvalid( () => sealer.open( 'not a blob', 'credential', SITE ) );
		expectInvalid( () =>
			sealer.open( 'mfk1.k1.@@@.###', 'credential', SITE )
		);
	} );

	test( 'rotation: old keys open (and flag the blob stale), unknown keys do not', () => {
		const k1 = `k1:${ key() }`;
		const k2 = `k2:${ key() }`;
		const before = new Sealer( parseSealKeys( k1 ) );
		const after = new Sealer( parseSealKeys( `${ k2 },${ k1 }` ) );
		const old = before.seal( 'rt', 'credential', SITE );
		expect( after.open( old, 'credential', SITE ) ).toEqual( {
			plaintext: 'rt',
			kid: 'k1',
			stale: true,
		} );
		expect( after.seal( 'rt', 'credential', SITE ) ).toMatch(
			/^mfk1\.k2\./
		);
		const stranger = new Sealer( parseSealKeys( `k3:${ key() }` ) );
		expectInvalid( () => stranger.open( old, 'credential', SITE ) );
	} );

	test( 'credentials carry the refresh token and the cached access token', () => {
		const blob = sealCredential( sealer, SITE, {
			clientId: 'client-1',
			refreshToken: '1//refresh',
			accessToken: 'ya29.access',
			accessTokenExpiresAt: 1767225600000,
			email: 'doctor@example.test',
			scopes: [ 'openid' ],
		} );
		expect( blob ).not.toContain( 'refresh' );
		expect( openCredential( sealer, SITE, blob ) ).toEqual( {
			stale: false,
			credential: {
				clientId: 'client-1',
				refreshToken: '1//refresh',
				accessToken: 'ya29.access',
				accessTokenExpiresAt: 1767225600000,
				email: 'doctor@example.test',
				scopes: [ 'openid' ],
			},
		} );
		// A sealed client secret is not a credential.
		expectInvalid( () =>
			openCredential(
				sealer,
				SITE,
				sealer.seal( 'secret', 'client_secret', SITE )
			)
		);
		expectInvalid( () =>
			openCredential(
				sealer,
				SITE,
				sealer.seal( '{"v":2}', 'credential', SITE )
			)
		);
	} );
} );
