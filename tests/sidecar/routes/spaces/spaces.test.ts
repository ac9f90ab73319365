/**
 * The Meet space access step through the sidecar (src/sidecar/meetings/space-access.ts,
 * routes/spaces/): the access type set on the space of a meeting's conference, automatic
 * artifacts switched off (or the refusal reported), idempotence, a doctor without the scope, and
 * Google's failures as the sidecar's stable codes.
 */
import {
	MEET_READONLY_SCOPE,
	MEET_SETTINGS_SCOPE,
} from '../../../../src/sidecar/meetings/space-access';
import { startRig, times, type Rig } from '../../support';

let rig: Rig;

beforeAll( async () => {
	rig = await startRig();
} );
afterAll( async () => rig.close() );
afterEach( async () => rig.control( 'DELETE', '/faults' ) );

let appointment = 7100;

/** A doctor and a meeting whose link exists; returns the credential and the meeting code. */
async function meeting(
	email: string,
	untick: string[] = []
): Promise< { credential: string; code: string } > {
	const { credential } = await rig.connect( email, { untick } );
	const ensured = await rig.call( '/v1/meetings/ensure', {
		siteId: rig.siteId,
		client: rig.client,
		credential,
		appointmentId: ++appointment,
		waitMs: 10000,
		...times( '2031-08-01T09:00:00Z' ),
	} );
	expect( ensured.status ).toBe( 200 );
	const code = String( ensured.body.meetUrl ).split( '/' ).pop() as string;
	return { credential, code };
}

const access = (
	credential: string,
	meetingCode: string,
	accessType = 'RESTRICTED'
) =>
	rig.call( '/v1/meetings/access', {
		siteId: rig.siteId,
		client: rig.client,
		credential,
		meetingCode,
		accessType,
	} );

const stored = async ( code: string ) =>
	(
		await rig.control< { config: Record< string, string > } >(
			'GET',
			`/meet/spaces/${ code }`
		)
	).config;

const patches = async () =>
	(
		await rig.control< { counters: Record< string, number > } >(
			'GET',
			'/counters'
		)
	).counters[ 'spaces.patch' ] ?? 0;

describe( 'POST /v1/meetings/access', () => {
	test( "sets the clinic's access type; a second call changes nothing", async () => {
		const { credential, code } = await meeting( 'access-1@example.test' );
		expect( ( await stored( code ) ).accessType ).toBe( 'OPEN' );
		const first = await access( credential, code );
		expect( first.status ).toBe( 200 );
		expect( first.body ).toMatchObject( {
			meetingCode: code,
			accessType: 'RESTRICTED',
			changed: true,
			artifacts: 'off',
			space: expect.stringMatching( /^spaces\// ),
		} );
		expect( ( await stored( code ) ).accessType ).toBe( 'RESTRICTED' );
		const before = await patches();
		const again = await access( credential, code );
		expect( again.body ).toMatchObject( { changed: false } );
		expect( await patches() ).toBe( before );
		const trusted = await access( credential, code, 'TRUSTED' );
		expect( trusted.body.changed ).toBe( true );
		expect( ( await stored( code ) ).accessType ).toBe( 'TRUSTED' );
	} );

	test( 'automatic recording, transcription and smart notes are switched off', async () => {
		await rig.control( 'POST', '/meet/accounts/auto-on@example.test', {
			autoArtifacts: true,
		} );
		const { credential, code } = await meeting( 'auto-on@example.test' );
		expect( ( await stored( code ) ).autoRecordingGeneration ).toBe( 'ON' );
		const answer = await access( credential, code );
		expect( answer.body.artifacts ).toBe( 'off' );
		expect( await stored( code ) ).toMatchObject( {
			accessType: 'RESTRICTED',
			autoRecordingGeneration: 'OFF',
			autoTranscriptionGeneration: 'OFF',
			autoSmartNotesGeneration: 'OFF',
		} );
	} );

	test( 'an edition that refuses artifact settings: access type applied, refusal reported', async () => {
		await rig.control( 'POST', '/meet/accounts/refusing@example.test', {
			autoArtifacts: true,
			artifactSettings: false,
		} );
		const { credential, code } = await meeting( 'refusing@example.test' );
		const answer = await access( credential, code );
		expect( answer.status ).toBe( 200 );
		expect( answer.body ).toMatchObject( {
			accessType: 'RESTRICTED',
			artifacts: 'refused',
		} );
		expect( ( await stored( code ) ).accessType ).toBe( 'RESTRICTED' );
	} );

	test( 'a doctor who unticked the Meet settings scope: insufficient_scope naming it, nothing called', async () => {
		const { credential, code } = await meeting( 'no-meet@example.test', [
			MEET_SETTINGS_SCOPE,
			MEET_READONLY_SCOPE,
		] );
		const answer = await access( credential, code );
		expect( answer.status ).toBe( 403 );
		expect( answer.body ).toMatchObject( {
			code: 'insufficient_scope',
			data: { scope: MEET_SETTINGS_SCOPE, retryable: false },
		} );
		expect( ( await stored( code ) ).accessType ).toBe( 'OPEN' );
	} );

	test( 'Google failures: 404 not_found, 403 google_error, 429 and 5xx retryable', async () => {
		const { credential, code } = await meeting( 'faults@example.test' );
		const unknown = await access( credential, 'aaa-bbbb-ccc' );
		expect( unknown.status ).toBe( 404 );
		expect( unknown.body.code ).toBe( 'not_found' );

		await rig.control( 'POST', '/faults', {
			match: { operation: 'spaces.patch' },
			action: { type: 'error', status: 403, reason: 'forbidden' },
			times: 1,
		} );
		const forbidden = await access( credential, code );
		expect( forbidden.status ).toBe( 502 );
		expect( forbidden.body.code ).toBe( 'google_error' );

		await rig.control( 'POST', '/faults', {
			match: { operation: 'spaces.patch' },
			action: { type: 'error', status: 503 },
			times: 100,
		} );
		const down = await access( credential, code );
		expect( down.body.code ).toBe( 'google_unavailable' );
		expect( down.body.data.retryable ).toBe( true );
		await rig.control( 'DELETE', '/faults' );
		const after = await access( credential, code );
		expect( after.body ).toMatchObject( { accessType: 'RESTRICTED' } );
	} );

	test( 'a space owned by another account: space_not_owned', async () => {
		const { code } = await meeting( 'owner-a@example.test' );
		const other = await rig.connect( 'owner-b@example.test' );
		const answer = await access( other.credential, code );
		expect( answer.status ).toBe( 403 );
		expect( answer.body.code ).toBe( 'space_not_owned' );
	} );

	test( 'the request is validated (meeting code shape, access type)', async () => {
		const { credential } = await rig.connect( 'validate@example.test' );
		expect( ( await access( credential, 'not a code' ) ).body.code ).toBe(
			'invalid_request'
		);
		expect(
			( await access( credential, 'abc-defg-hij', 'EVERYONE' ) ).body.code
		).toBe( 'invalid_request' );
	} );
} );
