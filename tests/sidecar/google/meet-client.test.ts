/**
 * The Meet REST API calls go through the official `@googleapis/meet` client (src/sidecar/google/
 * api.ts), created once on the first Meet call, pointed at the configured API root, and sent
 * with the doctor's auth object over the sidecar's own transport.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { meet_v2 } from '@googleapis/meet/build/v2';
import { createGoogleApi } from '../../../src/sidecar/google/api';

let server: Server;
let root: string;
const seen: Array< {
	method?: string;
	url?: string;
	headers: IncomingHttpHeaders;
} > = [];

beforeAll( async () => {
	server = createServer( ( req, res ) => {
		seen.push( { method: req.method, url: req.url, headers: req.headers } );
		res.writeHead( 200, { 'content-type': 'application/json' } );
		res.end(
			JSON.stringify( {
				name: 'spaces/jQCFfuBOdN5z',
				meetingUri: 'https://meet.google.com/abc-mnop-xyz',
				meetingCode: 'abc-mnop-xyz',
				config: { accessType: 'TRUSTED' },
			} )
		);
	} );
	await new Promise< void >( ( resolve ) =>
		server.listen( 0, '127.0.0.1', resolve )
	);
	root = `http://127.0.0.1:${ ( server.address() as AddressInfo ).port }/`;
} );

afterAll( () => new Promise( ( resolve ) => server.close( resolve ) ) );

test( 'one client instance, from the official package, at the configured root, with the doctor’s token', async () => {
	const api = createGoogleApi( {
		google: {
			apiRoot: root,
			meetApiRoot: root,
			authUrl: `${ root }auth`,
			tokenUrl: `${ root }token`,
			revokeUrl: `${ root }revoke`,
			userinfoUrl: `${ root }userinfo`,
		},
		googleTimeoutMs: 5000,
	} );
	try {
		const meet = await api.meet();
		expect( meet ).toBeInstanceOf( meet_v2.Meet );
		expect( await api.meet() ).toBe( meet );

		const { data } = await meet.spaces.get( {
			name: 'spaces/abc-mnop-xyz',
			auth: api.authFor( 'ya29.doctor-token' ),
		} );
		expect( data.config?.accessType ).toBe( 'TRUSTED' );
		expect( seen ).toHaveLength( 1 );
		expect( seen[ 0 ] ).toMatchObject( {
			method: 'GET',
			url: '/v2/spaces/abc-mnop-xyz',
		} );
		expect( seen[ 0 ]!.headers.authorization ).toBe(
			'Bearer ya29.doctor-token'
		);
		// What Google's generated clients send to name themselves.
		expect( seen[ 0 ]!.headers[ 'x-goog-api-client' ] ).toMatch( /gdcl\// );
	} finally {
		api.close();
	}
} );
