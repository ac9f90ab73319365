import {
	decodeBatch,
	encodeBatch,
	partError,
} from '../../../../src/sidecar/google/batch';
import { describeGoogleError } from '../../../../src/sidecar/google/errors';
import {
	formatBatch,
	parseBatch,
} from '../../../../src/emulator/batch/multipart';

describe( "Google's batch format", () => {
	test( 'the request parts read back as the calls they carry', () => {
		const body = encodeBatch(
			[
				{
					method: 'DELETE',
					path: '/calendar/v3/calendars/primary/events/abc',
					query: { sendUpdates: 'none' },
				},
				{
					method: 'PATCH',
					path: '/calendar/v3/calendars/primary/events/def',
					headers: { 'If-Match': '"3"' },
					body: { summary: 'Video consultation' },
				},
			],
			'b0undary'
		);
		const calls = parseBatch( body, 'b0undary' );
		expect( calls ).toEqual( [
			expect.objectContaining( {
				contentId: 'item-0',
				method: 'DELETE',
				url: '/calendar/v3/calendars/primary/events/abc?sendUpdates=none',
			} ),
			expect.objectContaining( {
				contentId: 'item-1',
				method: 'PATCH',
				url: '/calendar/v3/calendars/primary/events/def',
				body: '{"summary":"Video consultation"}',
			} ),
		] );
		expect( calls[ 1 ]?.headers[ 'if-match' ] ).toBe( '"3"' );
	} );

	test( 'the answer parts are matched to their calls by Content-ID, each with its status', () => {
		const answer = formatBatch(
			[
				{
					contentId: 'item-1',
					status: 403,
					headers: { 'Content-Type': 'application/json' },
					body: JSON.stringify( {
						error: {
							code: 403,
							message: 'Rate Limit Exceeded',
							errors: [ { reason: 'userRateLimitExceeded' } ],
						},
					} ),
				},
				{ contentId: 'item-0', status: 204, headers: {}, body: '' },
			],
			'answer'
		);
		const parts = decodeBatch(
			answer,
			'multipart/mixed; boundary=answer',
			2
		);
		expect( parts.map( ( p ) => p.status ) ).toEqual( [ 204, 403 ] );
		expect( parts[ 0 ]?.data ).toBe( '' );
		const failure = describeGoogleError( partError( parts[ 1 ]! ) );
		expect( failure ).toMatchObject( {
			status: 403,
			reason: 'userRateLimitExceeded',
		} );
	} );

	test( 'an answer missing a part, or not a batch, is an error', () => {
		const answer = formatBatch(
			[ { contentId: 'item-0', status: 204, headers: {}, body: '' } ],
			'x'
		);
		expect( () =>
			decodeBatch( answer, 'multipart/mixed; boundary=x', 2 )
		).toThrow( /no part for call 1/ );
		expect( () => decodeBatch( '{}', 'application/json', 1 ) ).toThrow();
		expect( () => encodeBatch( [], 'x' ) ).toThrow( RangeError );
	} );
} );
