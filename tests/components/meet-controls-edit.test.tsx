/**
 * The block's editor settings: what the author types becomes valid attributes, and the
 * placeholder says in one sentence what visitors will see.
 */
import {
	describe as describeBlock,
	MAX_LIMIT,
	parseAppointmentId,
	parseLimit,
} from '../../blocks/meet-controls/edit';

describe( 'Meet controls block settings', () => {
	it.each( [
		[ '12', 12 ],
		[ '0', 0 ],
		[ '', 0 ],
		[ '-3', 0 ],
		[ '2.5', 0 ],
		[ 'abc', 0 ],
	] )( 'appointment field "%s" is %d', ( value, id ) => {
		expect( parseAppointmentId( value ) ).toBe( id );
	} );

	it( 'keeps the number of appointments between 1 and the maximum', () => {
		expect( parseLimit( undefined ) ).toBe( 5 );
		expect( parseLimit( Number.NaN ) ).toBe( 5 );
		expect( parseLimit( 0 ) ).toBe( 1 );
		expect( parseLimit( 7.4 ) ).toBe( 7 );
		expect( parseLimit( 500 ) ).toBe( MAX_LIMIT );
	} );

	it( 'describes one appointment, today’s list or the upcoming list', () => {
		expect(
			describeBlock( { appointmentId: 12, scope: 'upcoming', limit: 5 } )
		).toBe(
			'Shows the Start Google Meet button of appointment #12 to its doctor and the Join Google Meet button to its patient. Anyone else sees nothing.'
		);
		expect(
			describeBlock( { appointmentId: 0, scope: 'today', limit: 3 } )
		).toContain( 'up to 3 of today’s video consultations' );
		expect(
			describeBlock( { appointmentId: 0, scope: 'upcoming', limit: 99 } )
		).toContain( `their next ${ MAX_LIMIT } video consultations` );
	} );
} );
