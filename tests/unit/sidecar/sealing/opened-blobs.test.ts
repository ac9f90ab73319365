import { randomBytes } from 'node:crypto';
import { SidecarError } from '../../../../src/sidecar/errors';
import { sealCredential } from '../../../../src/sidecar/sealing/credential';
import {
	CLIENT_SECRET_TTL_MS,
	OpenedBlobs,
	TOKEN_MARGIN_MS,
} from '../../../../src/sidecar/sealing/opened-blobs';
import { Sealer } from '../../../../src/sidecar/sealing/sealer';

const SITE = '8a6e0f4c-1d2b-4c3a-9e8f-7a6b5c4d3e2f';
const OTHER_SITE = '11111111-2222-4333-8444-555555555555';
const NOW = 1767225600000;

/** A keyring that counts how often it decrypts. */
class CountingSealer extends Sealer {
	opens = 0;

	override open( ...args: Parameters< Sealer[ 'open' ] > ) {
		this.opens++;
		return super.open( ...args );
	}
}

function setup( max = 100 ) {
	const sealer = new CountingSealer( [
		{ kid: 'k1', key: randomBytes( 32 ) },
	] );
	let now = NOW;
	const blobs = new OpenedBlobs( sealer, max, () => now );
	const credential = ( expiresAt?: number ) =>
		sealCredential( sealer, SITE, {
			clientId: 'client',
			refreshToken: `refresh-${ randomBytes( 4 ).toString( 'hex' ) }`,
			email: 'doctor@example.test',
			scopes: [ 'openid' ],
			...( expiresAt
				? { accessToken: 'access', accessTokenExpiresAt: expiresAt }
				: {} ),
		} );
	return {
		sealer,
		blobs,
		credential,
		advance: ( ms: number ) => ( now += ms ),
	};
}

describe( 'opened sealed blobs', () => {
	test( 'a credential is opened once while its access token is usable, and handed out as a copy', () => {
		const { sealer, blobs, credential, advance } = setup();
		const blob = credential( NOW + 3600 * 1000 );
		const first = blobs.credential( SITE, blob );
		first.credential.accessToken = 'changed by a session';
		first.credential.scopes.push( 'changed' );
		const second = blobs.credential( SITE, blob );
		expect( sealer.opens ).toBe( 1 );
		expect( second ).toEqual( {
			credential: expect.objectContaining( {
				accessToken: 'access',
				scopes: [ 'openid' ],
			} ),
			stale: false,
		} );
		advance( 3600 * 1000 - TOKEN_MARGIN_MS );
		blobs.credential( SITE, blob );
		expect( sealer.opens ).toBe( 2 );
	} );

	test( 'a credential without a usable access token is opened every time', () => {
		const { sealer, blobs, credential } = setup();
		const blob = credential();
		blobs.credential( SITE, blob );
		blobs.credential( SITE, blob );
		expect( sealer.opens ).toBe( 2 );
	} );

	test( 'what a blob is bound to still counts: another site or purpose does not get it', () => {
		const { blobs, credential } = setup();
		const blob = credential( NOW + 3600 * 1000 );
		blobs.credential( SITE, blob );
		expect( () => blobs.credential( OTHER_SITE, blob ) ).toThrow(
			SidecarError
		);
		expect( () => blobs.clientSecret( SITE, blob ) ).toThrow(
			SidecarError
		);
	} );

	test( 'a client secret is opened once for a while', () => {
		const { sealer, blobs, advance } = setup();
		const blob = sealer.seal( 'client-secret', 'client_secret', SITE );
		expect( blobs.clientSecret( SITE, blob ) ).toBe( 'client-secret' );
		advance( CLIENT_SECRET_TTL_MS - 1 );
		expect( blobs.clientSecret( SITE, blob ) ).toBe( 'client-secret' );
		expect( sealer.opens ).toBe( 1 );
		advance( 1 );
		blobs.clientSecret( SITE, blob );
		expect( sealer.opens ).toBe( 2 );
	} );

	test( 'bounded: the least recently used goes first; a revoked credential is forgotten', () => {
		const { sealer, blobs, credential } = setup( 2 );
		const [ a, b, c ] = [ 1, 2, 3 ].map( () =>
			credential( NOW + 3600 * 1000 )
		) as [ string, string, string ];
		blobs.credential( SITE, a );
		blobs.credential( SITE, b );
		blobs.credential( SITE, a );
		blobs.credential( SITE, c ); // b goes
		expect( blobs.size ).toBe( 2 );
		sealer.opens = 0;
		blobs.credential( SITE, a );
		blobs.credential( SITE, c );
		expect( sealer.opens ).toBe( 0 );
		blobs.credential( SITE, b );
		expect( sealer.opens ).toBe( 1 );
		blobs.forgetCredential( SITE, b );
		blobs.credential( SITE, b );
		expect( sealer.opens ).toBe( 2 );
	} );
} );
