import { randomBytes } from 'node:crypto';
import { SidecarError } from '../../../../src/sidecar/errors';
import { parseSealKeys, Sealer } from '../../../../src/sidecar/sealing/sealer';
import {
	openCredential,
	sealCredential,
} from '../../../../src/sidecar/sealing/credential';

const key = () => randomBytes( 32 ).toString( 'base64' );
const SITE = '8a6e0f4c-1d2b-4c3a-9e8f-7a6b5c4d3e2f';

function caught( fn: () => unknown ): SidecarError {
	let error: unknown;
	try {
		fn();
	} catch ( e ) {
		error = e;
	}
	expect( error ).toBeInstanceOf( SidecarError );
	return error as SidecarError;
}

/** Not a sealed blob at all (malformed, another format): credential_invalid. */
function expectInvalid( fn: () => unknown ): void {
	expect( caught( fn ).code ).toBe( 'credential_invalid' );
}

/** A well-formed blob this keyring cannot open: seal_key_unknown, naming the blob and key id. */
function expectKeyUnknown(
	fn: () => unknown,
	sealed: 'credential' | 'client_secret',
	kid: string
): void {
	const error = caught( fn );
	expect( error.code ).toBe( 'seal_key_unknown' );
	expect( error.details ).toEqual( { sealed, kid } );
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
		// Authentication fails: GCM cannot tell this from a replaced key, so it is said the same way.
		expectKeyUnknown(
			() => sealer.open( blob, 'credential', SITE ),
			'credential',
			'k1'
		);
		expectKeyUnknown(
			() => sealer.open( blob, 'client_secret', 'another-site-0000' ),
			'client_secret',
			'k1'
		);
	} );

	test( 'tampering anywhere is detected', () => {
		const blob = sealer.seal( 'payload', 'credential', SITE );
		const parts = blob.split( '.' );
		const flip = ( s: string ) =>
			( s[ 0 ] === 'A' ? 'B' : 'A' ) + s.slice( 1 );
		const altered = ( index: number ) =>
			parts
				.map( ( p, i ) => ( i === index ? flip( p as string ) : p ) )
				.join( '.' );
		expectKeyUnknown(
			() => sealer.open( altered( 2 ), 'credential', SITE ),
			'credential',
			'k1'
		);
		expectKeyUnknown(
			() => sealer.open( altered( 3 ), 'credential', SITE ),
			'credential',
			'k1'
		);
		expectKeyUnknown(
			() => sealer.open( blob.slice( 0, -2 ), 'credential', SITE ),
			'credential',
			'k1'
		);
		expectInvalid( () =>
			sealer.open( 'mfk2' + blob.slice( 4 ), 'credential', SITE )
		);
		expectInvalid( () => sealer.open( 'not a blob', 'credential', SITE ) );
		expectInvalid( () =>
			sealer.open( 'mfk1.k1.@@@.###', 'credential', SITE )
		);
		expectInvalid( () =>
			sealer.open( 'mfk1.k1.AAAA.BBBB', 'credential', SITE )
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
		expectKeyUnknown(
			() => stranger.open( old, 'credential', SITE ),
			'credential',
			'k1'
		);
	} );

	test( 'a key replaced under the same id: its old blobs are seal_key_unknown, never opened', () => {
		const previous = key();
		const before = new Sealer( parseSealKeys( `k1:${ previous }` ) );
		const replaced = new Sealer( parseSealKeys( `k1:${ key() }` ) );
		const blob = before.seal( 'rt', 'credential', SITE );
		const error = caught( () => replaced.open( blob, 'credential', SITE ) );
		expect( error.code ).toBe( 'seal_key_unknown' );
		expect( error.message ).toMatch( /MFK_SEAL_KEYS/ );
		expect( error.message ).not.toContain( 'rt' );
		// Restoring the previous key next to the new one opens it again (and marks it stale).
		const restored = new Sealer(
			parseSealKeys( `k2:${ key() },k1:${ previous }` )
		);
		expect( restored.open( blob, 'credential', SITE ) ).toEqual( {
			plaintext: 'rt',
			kid: 'k1',
			stale: true,
		} );
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
		// A sealed client secret is not a credential (its purpose is authenticated).
		expectKeyUnknown(
			() =>
				openCredential(
					sealer,
					SITE,
					sealer.seal( 'secret', 'client_secret', SITE )
				),
			'credential',
			'k1'
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
