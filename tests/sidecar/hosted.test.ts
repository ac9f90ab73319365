/**
 * A hosted sidecar serving several enrolled sites: each signs with its own derived secret and
 * acts only as itself; blobs, meetings and figures stay with their site; the revoke list shuts a
 * site out at once; the master key rotates without breaking enrolled sites; per-site limits.
 */
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
	enrol,
	formatEnrolmentKey,
	parseEnrolmentKey,
	signedHeaders,
} from '../../src/sidecar';
import { parseSealKeys } from '../../src/sidecar/sealing/sealer';
import {
	asSite,
	startHostedRig,
	type HostedRig,
	type Site,
} from './hosted-support';
import { SHARED_SECRET, send, signedCall, times, type Answer } from './support';

let rig: HostedRig;
let a: Site;
let b: Site;
const dir = mkdtempSync( path.join( tmpdir(), 'mfk-hosted-' ) );
const revokedFile = path.join( dir, 'revoked-sites' );

function expectError( answer: Answer, status: number, code: string ) {
	expect( { status: answer.status, code: answer.body?.code } ).toEqual( {
		status,
		code,
	} );
}

beforeAll( async () => {
	writeFileSync( revokedFile, '# revoked sites\n' );
	rig = await startHostedRig( {
		MFK_REVOKED_SITES_FILE: revokedFile,
		MFK_REVOKED_SITES_RELOAD_SECONDS: '3600',
	} );
	a = await rig.site();
	b = await rig.site();
} );

afterAll( async () => {
	await rig?.close();
	rmSync( dir, { recursive: true, force: true } );
} );

describe( 'enrolment', () => {
	test( 'the key carries the key id, the site id and a secret derived from the master key', () => {
		const keys = parseSealKeys( rig.masterKeys );
		const e = enrol( keys, a.siteId );
		const text = formatEnrolmentKey( e );
		expect( text ).toMatch(
			new RegExp( `^mfke1\\.m1\\.${ a.siteId }\\.[A-Za-z0-9_-]{43}$` )
		);
		expect( parseEnrolmentKey( text ) ).toEqual( e );
		// Deterministic: any replica with the master key derives the same secret.
		expect( enrol( keys, a.siteId ).secret ).toBe( e.secret );
		expect( enrol( keys, b.siteId ).secret ).not.toBe( e.secret );
	} );

	test( 'healthz tells WordPress the sidecar is hosted', async () => {
		const health = await send( rig.app, {
			method: 'GET',
			url: '/healthz',
		} );
		expect( health.body.mode ).toBe( 'hosted' );
	} );
} );

describe( 'isolation', () => {
	test( "each site signs as itself; another site's secret, a missing site header or the single-site scheme is refused", async () => {
		expect(
			( await a.call( '/v1/ping', { siteId: a.siteId } ) ).status
		).toBe( 200 );
		expect(
			( await b.call( '/v1/ping', { siteId: b.siteId } ) ).status
		).toBe( 200 );

		// B signs with its own secret but claims to be A.
		const forged = await signedCall(
			rig.app,
			'/v1/ping',
			{ siteId: a.siteId },
			asSite( a.enrolment, { secret: b.enrolment.secret } )
		);
		expectError( forged, 401, 'unauthorized' );
		expect( forged.body.data.reason ).toBe( 'signature' );

		const headerless = await signedCall(
			rig.app,
			'/v1/ping',
			{},
			{ secret: a.enrolment.secret }
		);
		expectError( headerless, 401, 'unauthorized' );
		expect( headerless.body.data.reason ).toBe( 'site_header' );

		const shared = await signedCall(
			rig.app,
			'/v1/ping',
			{},
			{ secret: SHARED_SECRET }
		);
		expectError( shared, 401, 'unauthorized' );
	} );

	test( 'a request, or a batch operation, that names another site than its signer is refused', async () => {
		expectError(
			await b.call( '/v1/ping', { siteId: a.siteId } ),
			403,
			'site_mismatch'
		);
		const batch = await b.call( '/v1/batch', {
			operations: [
				{
					op: 'get',
					id: 'mine',
					siteId: b.siteId,
					client: b.client,
					credential: 'x',
					appointmentId: 1,
				},
				{
					op: 'get',
					id: 'theirs',
					siteId: a.siteId,
					client: b.client,
					credential: 'x',
					appointmentId: 1,
				},
			],
		} );
		expectError( batch, 403, 'site_mismatch' );
	} );

	test( "site A's sealed client secret and credential do not open for site B, so B cannot read A's meetings", async () => {
		const doctor = await a.connect();
		const when = times( '2031-03-04T10:00:00Z' );
		const made = await a.call( '/v1/meetings/ensure', {
			siteId: a.siteId,
			client: a.client,
			credential: doctor.credential,
			appointmentId: 7,
			...when,
		} );
		expect( made.status ).toBe( 200 );
		expect( made.body.meetUrl ).toMatch( /^https:\/\/meet\.google\.com\// );
		const mine = await a.call( '/v1/meetings/get', {
			siteId: a.siteId,
			client: a.client,
			credential: doctor.credential,
			appointmentId: 7,
		} );
		expect( mine.body.meetUrl ).toBe( made.body.meetUrl );

		// B copies A's blobs into its own request.
		const copied = await b.call( '/v1/meetings/get', {
			siteId: b.siteId,
			client: b.client,
			credential: doctor.credential,
			appointmentId: 7,
		} );
		// Bound to A's site id, the blob does not authenticate for B: the same refusal as a blob
		// sealed under a key this sidecar does not hold (GCM cannot tell the two apart).
		expectError( copied, 400, 'seal_key_unknown' );
		const copiedClient = await b.call( '/v1/meetings/get', {
			siteId: b.siteId,
			client: a.client,
			credential: doctor.credential,
			appointmentId: 7,
		} );
		expect( copiedClient.status ).toBe( 400 );
		expect( [ 'client_invalid', 'seal_key_unknown' ] ).toContain(
			copiedClient.body.code
		);
		// Or names A outright.
		expectError(
			await b.call( '/v1/meetings/get', {
				siteId: a.siteId,
				client: a.client,
				credential: doctor.credential,
				appointmentId: 7,
			} ),
			403,
			'site_mismatch'
		);
		expect( JSON.stringify( copied.body ) ).not.toContain( doctor.email );
	} );

	test( "each site sees only its own figures; the operator's /metrics shows every site", async () => {
		const own = await a.call( '/v1/site/metrics', { siteId: a.siteId } );
		expect( own.status ).toBe( 200 );
		expect( own.body.siteId ).toBe( a.siteId );
		expect( own.body.requests.ok ).toBeGreaterThan( 0 );
		expect( JSON.stringify( own.body ) ).not.toContain( b.siteId );
		const theirs = await b.call( '/v1/site/metrics', { siteId: b.siteId } );
		expect( theirs.body.siteId ).toBe( b.siteId );
		expect( theirs.body.requests.site_mismatch ).toBeGreaterThan( 0 );
		expect( own.body.requests.site_mismatch ).toBeUndefined();
		expectError(
			await b.call( '/v1/site/metrics', { siteId: a.siteId } ),
			403,
			'site_mismatch'
		);

		const metrics = await send( rig.app, {
			method: 'GET',
			url: '/metrics',
		} );
		expect( metrics.body ).toMatch(
			new RegExp(
				`^mfk_site_requests_total\\{site="${ a.siteId }",code="ok"\\} \\d+$`,
				'm'
			)
		);
		expect( metrics.body ).toMatch(
			new RegExp(
				`^mfk_site_requests_total\\{site="${ b.siteId }",code="site_mismatch"\\} \\d+$`,
				'm'
			)
		);
		expect( metrics.body ).toMatch(
			new RegExp(
				`^mfk_site_google_calls_total\\{site="${ a.siteId }",outcome="ok"\\} \\d+$`,
				'm'
			)
		);
	} );

	test( "log lines of a site's requests carry its site id", async () => {
		await b.call( '/v1/ping', { siteId: b.siteId } );
		const line = rig.logs.lines
			.map( ( l ) => JSON.parse( l ) )
			.reverse()
			.find( ( l ) => l.msg === 'request' && l.route === '/v1/ping' );
		expect( line.site ).toBe( b.siteId );
	} );

	test( "a timestamp too far from the sidecar's clock is refused with the sidecar's time", async () => {
		const stale = String( Math.floor( Date.now() / 1000 ) - 3600 );
		const raw = '{}';
		const skewed = await send( rig.app, {
			method: 'POST',
			url: '/v1/ping',
			headers: {
				'content-type': 'application/json',
				'x-mfk-site': a.siteId,
				'x-mfk-key-id': a.enrolment.kid,
				...signedHeaders( a.enrolment.secret, {
					method: 'POST',
					path: '/v1/ping',
					body: raw,
					timestamp: stale,
				} ),
			},
			payload: raw,
		} );
		expectError( skewed, 401, 'unauthorized' );
		expect( skewed.body.data.reason ).toBe( 'clock_skew' );
		expect(
			Math.abs( skewed.body.data.serverTime - Date.now() / 1000 )
		).toBeLessThan( 60 );
	} );
} );

describe( 'revocation and rotation', () => {
	test( 'a revoked site is refused as soon as the list is read again; the others keep working', async () => {
		const c = await rig.site();
		expect( ( await c.call( '/v1/ping', {} ) ).status ).toBe( 200 );
		appendFileSync( revokedFile, `${ c.siteId }\n` );
		// What SIGHUP does (index.ts); the timer does the same when the file changed.
		rig.app.ctx.revocations.reload( true );
		const refused = await c.call( '/v1/ping', {} );
		expectError( refused, 403, 'site_revoked' );
		expect( ( await a.call( '/v1/ping', {} ) ).status ).toBe( 200 );
		// A stranger does not learn that a site is revoked: the signature is checked first.
		expectError(
			await signedCall(
				rig.app,
				'/v1/ping',
				{},
				asSite( c.enrolment, { secret: a.enrolment.secret } )
			),
			401,
			'unauthorized'
		);
	} );

	test( 'a changed revoke list is picked up by the periodic check, and an unreadable one keeps the list in force', async () => {
		const file = path.join( dir, 'timed' );
		writeFileSync( file, '' );
		const app = await rig.sidecarWith( {
			MFK_REVOKED_SITES_FILE: file,
			MFK_REVOKED_SITES_RELOAD_SECONDS: '1',
		} );
		const d = await rig.site( { app } );
		writeFileSync( file, `${ d.siteId }\n` );
		let answer = await d.call( '/v1/ping', {} );
		while ( answer.status === 200 ) {
			await new Promise( ( r ) => setTimeout( r, 100 ) );
			answer = await d.call( '/v1/ping', {} );
		}
		expectError( answer, 403, 'site_revoked' );
		rmSync( file );
		expect( app.ctx.revocations.reload( true ) ).toBe( false );
		expect( app.ctx.revocations.error ).toMatch(
			/cannot read the revoke list/
		);
		expectError( await d.call( '/v1/ping', {} ), 403, 'site_revoked' );
	} );

	test( 'one enrolment of a site can be revoked by its key id', async () => {
		const app = await rig.sidecarWith( {} );
		const e = await rig.site( { app } );
		const revoked = await rig.sidecarWith( {
			MFK_REVOKED_SITES: `${ e.siteId }:m1`,
		} );
		expectError(
			await signedCall( revoked, '/v1/ping', {}, asSite( e.enrolment ) ),
			403,
			'site_revoked'
		);
	} );

	test( 'master-key rotation: with a new key first, old enrolments keep working, new ones use the new key; once the old key is retired its enrolments are refused', async () => {
		const newKey = `m2:${ Buffer.alloc( 32, 7 ).toString( 'base64' ) }`;
		const rotated = await rig.sidecarWith( {
			MFK_MASTER_KEYS: `${ newKey },${ rig.masterKeys }`,
		} );
		expect(
			(
				await signedCall(
					rotated,
					'/v1/ping',
					{},
					asSite( a.enrolment )
				)
			).status
		).toBe( 200 );
		const rekeyed = enrol(
			parseSealKeys( `${ newKey },${ rig.masterKeys }` ),
			a.siteId
		);
		expect( rekeyed.kid ).toBe( 'm2' );
		expect(
			( await signedCall( rotated, '/v1/ping', {}, asSite( rekeyed ) ) )
				.status
		).toBe( 200 );
		// What the site sealed before still opens: sealing keys and master keys are separate.
		const doctor = await a.connect();
		const made = await signedCall(
			rotated,
			'/v1/meetings/ensure',
			{
				siteId: a.siteId,
				client: a.client,
				credential: doctor.credential,
				appointmentId: 8,
				...times( '2031-03-05T10:00:00Z' ),
			},
			asSite( rekeyed )
		);
		expect( made.status ).toBe( 200 );

		const retired = await rig.sidecarWith( { MFK_MASTER_KEYS: newKey } );
		const old = await signedCall(
			retired,
			'/v1/ping',
			{},
			asSite( a.enrolment )
		);
		expectError( old, 401, 'unauthorized' );
		expect( old.body.data.reason ).toBe( 'key_id' );
		expect(
			( await signedCall( retired, '/v1/ping', {}, asSite( rekeyed ) ) )
				.status
		).toBe( 200 );
	} );
} );

describe( 'per-site limits', () => {
	test( 'a site over its request limit is refused with Retry-After; another site is not', async () => {
		const app = await rig.sidecarWith( {
			MFK_SITE_REQUESTS_PER_MINUTE: '3',
		} );
		const busy = await rig.site( { app } ); // sealing the client secret is its first request
		const quiet = await rig.site( { app } );
		expect( ( await busy.call( '/v1/ping', {} ) ).status ).toBe( 200 );
		expect( ( await busy.call( '/v1/ping', {} ) ).status ).toBe( 200 );
		const over = await busy.call( '/v1/ping', {} );
		expectError( over, 429, 'rate_limited' );
		expect( Number( over.headers.get( 'retry-after' ) ) ).toBeGreaterThan(
			0
		);
		expect( ( await quiet.call( '/v1/ping', {} ) ).status ).toBe( 200 );
	} );

	test( 'a single-site sidecar has no per-site figures route', async () => {
		const single = await rig.sidecarWith( {
			MFK_MASTER_KEYS: '',
			MFK_SHARED_SECRET: SHARED_SECRET,
		} );
		expectError(
			await signedCall( single, '/v1/site/metrics', {} ),
			503,
			'not_configured'
		);
	} );
} );
