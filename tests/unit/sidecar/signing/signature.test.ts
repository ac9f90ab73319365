import {
	canonicalString,
	sha256Hex,
	sign,
	signedHeaders,
	verifySignature,
} from '../../../../src/sidecar/signing/signature';

// The worked example of docs/sidecar-api.md (checked there with an independent implementation).
const SECRET = '0123456789abcdef0123456789abcdef-example';
const BODY = '{"siteId":"8a6e0f4c-1d2b-4c3a-9e8f-7a6b5c4d3e2f"}';
const EXAMPLE = {
	method: 'POST',
	path: '/v1/ping',
	timestamp: '1767225600',
	nonce: 'Zx3mQ9vT2bLk8pRw',
	body: BODY,
};
const NOW = 1767225600 * 1000;

describe( 'request signing', () => {
	test( 'canonical string and signature match the documented example', () => {
		expect( sha256Hex( BODY ) ).toBe(
			'71adf2ddb9bd5ecced6ab218b2385a8986280641bb5a0e157e0da3bf3456e7d3'
		);
		expect( canonicalString( EXAMPLE ) ).toBe(
			[
				'v1',
				'POST',
				'/v1/ping',
				'1767225600',
				'Zx3mQ9vT2bLk8pRw',
				'71adf2ddb9bd5ecced6ab218b2385a8986280641bb5a0e157e0da3bf3456e7d3',
			].join( '\n' )
		);
		expect( sign( SECRET, EXAMPLE ) ).toBe(
			'v1=f0dd69666b44f02bf7f80fd766cbfb9bc4ddbd2a28d15f5173e27fdb8ae1404e'
		);
	} );

	test( 'an empty body hashes as the empty string', () => {
		expect( sha256Hex( '' ) ).toBe(
			'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
		);
	} );

	const headers = ( over: Record< string, string > = {} ) => ( {
		'x-mfk-timestamp': EXAMPLE.timestamp,
		'x-mfk-nonce': EXAMPLE.nonce,
		'x-mfk-signature': sign( SECRET, EXAMPLE ),
		...over,
	} );
	const verify = (
		h: Record< string, string | undefined >,
		method = 'POST',
		path = '/v1/ping',
		body = BODY,
		nowMs = NOW
	) =>
		verifySignature( h, method, path, body, {
			secret: SECRET,
			clockSkewSeconds: 300,
			nowMs,
		} );

	test( 'accepts the correctly signed request', () => {
		expect( verify( headers() ) ).toEqual( {
			ok: true,
			nonce: EXAMPLE.nonce,
			timestamp: 1767225600,
		} );
	} );

	test.each( [
		[ 'missing signature', { 'x-mfk-signature': undefined }, /missing/ ],
		[ 'missing timestamp', { 'x-mfk-timestamp': undefined }, /missing/ ],
		[ 'missing nonce', { 'x-mfk-nonce': undefined }, /missing/ ],
		[
			'timestamp not numeric',
			{ 'x-mfk-timestamp': '2026-01-01' },
			/Unix time/,
		],
		[ 'nonce too short', { 'x-mfk-nonce': 'short' }, /Nonce/ ],
		[
			'nonce with bad characters',
			{ 'x-mfk-nonce': 'Zx3mQ9vT2bLk8pR/' },
			/Nonce/,
		],
		[
			'wrong signature',
			{ 'x-mfk-signature': 'v1=' + '0'.repeat( 64 ) },
			/does not match/,
		],
		[
			'signature of another length',
			{ 'x-mfk-signature': 'v1=abc' },
			/does not match/,
		],
	] )( 'refuses %s', ( _name, over, reason ) => {
		const h: Record< string, string | undefined > = headers();
		for ( const [ k, v ] of Object.entries( over ) ) {
			h[ k ] = v;
		}
		const result = verify( h );
		expect( result.ok ).toBe( false );
		expect( ( result as { reason: string } ).reason ).toMatch( reason );
	} );

	test( 'binds method, path, query and body', () => {
		expect( verify( headers(), 'PUT' ).ok ).toBe( false );
		expect( verify( headers(), 'POST', '/v1/ping?x=1' ).ok ).toBe( false );
		expect(
			verify(
				headers(),
				'POST',
				'/v1/ping',
				BODY.replace( '8a6e', '8a6f' )
			).ok
		).toBe( false );
		const withQuery = { ...EXAMPLE, path: '/v1/ping?x=1' };
		expect(
			verify(
				headers( { 'x-mfk-signature': sign( SECRET, withQuery ) } ),
				'POST',
				'/v1/ping?x=1'
			).ok
		).toBe( true );
	} );

	test( 'refuses timestamps outside the clock skew, both ways', () => {
		expect(
			verify( headers(), 'POST', '/v1/ping', BODY, NOW + 300 * 1000 ).ok
		).toBe( true );
		expect(
			verify( headers(), 'POST', '/v1/ping', BODY, NOW + 301 * 1000 )
		).toEqual( {
			ok: false,
			failure: 'clock_skew',
			reason: 'timestamp outside the allowed clock skew',
		} );
		expect(
			verify( headers(), 'POST', '/v1/ping', BODY, NOW - 301 * 1000 ).ok
		).toBe( false );
	} );

	test( 'never reveals the expected signature', () => {
		const result = verify(
			headers( { 'x-mfk-signature': 'v1=' + 'f'.repeat( 64 ) } )
		);
		expect( JSON.stringify( result ) ).not.toContain(
			sign( SECRET, EXAMPLE ).slice( 3 )
		);
	} );

	test( 'signedHeaders produces headers that verify, with a fresh nonce each time', () => {
		const a = signedHeaders( SECRET, {
			method: 'POST',
			path: '/v1/ping',
			body: BODY,
		} );
		const b = signedHeaders( SECRET, {
			method: 'POST',
			path: '/v1/ping',
			body: BODY,
		} );
		expect( a[ 'x-mfk-nonce' ] ).not.toBe( b[ 'x-mfk-nonce' ] );
		expect(
			verifySignature( a, 'POST', '/v1/ping', BODY, {
				secret: SECRET,
				clockSkewSeconds: 300,
			} ).ok
		).toBe( true );
	} );
} );
