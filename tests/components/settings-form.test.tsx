/**
 * The settings form's model: values from the stored settings, the save payload (changed fields
 * only, secrets only when typed, numbers as numbers), locked fields and error ordering.
 */
import {
	buildPayload,
	fieldId,
	isDirty,
	lockedFields,
	orderedErrors,
	valuesFromSettings,
} from '../../blocks/admin/settings-form';
import { SETTINGS } from './fixtures';

describe( 'settings form model', () => {
	it( 'starts with the stored values and empty secret inputs', () => {
		const values = valuesFromSettings( SETTINGS );
		expect( values.google_client_id ).toBe( SETTINGS.google_client_id );
		expect( values.google_client_secret ).toBe( '' );
		expect( values.sidecar_secret ).toBe( '' );
		expect( values.join_window_minutes ).toBe( '10' );
		expect( values.add_patient_as_attendee ).toBe( false );
	} );

	it( 'sends nothing when nothing changed', () => {
		const initial = valuesFromSettings( SETTINGS );
		expect( buildPayload( initial, { ...initial } ) ).toEqual( {} );
		expect( isDirty( initial, { ...initial } ) ).toBe( false );
	} );

	it( 'sends only the changed fields, numbers as numbers', () => {
		const initial = valuesFromSettings( SETTINGS );
		const payload = buildPayload( initial, {
			...initial,
			join_window_minutes: ' 15 ',
			add_patient_as_attendee: true,
			calendar_id: 'team@group.calendar.google.com',
		} );
		expect( payload ).toEqual( {
			join_window_minutes: 15,
			add_patient_as_attendee: true,
			calendar_id: 'team@group.calendar.google.com',
		} );
	} );

	it( 'leaves a number the server must refuse as typed', () => {
		const initial = valuesFromSettings( SETTINGS );
		expect(
			buildPayload( initial, { ...initial, sync_budget_ms: '2.5s' } )
		).toEqual( { sync_budget_ms: '2.5s' } );
	} );

	it( 'sends a secret only when one is typed, trimmed', () => {
		const initial = valuesFromSettings( SETTINGS );
		expect(
			buildPayload( initial, { ...initial, google_client_secret: '   ' } )
		).toEqual( {} );
		expect(
			buildPayload( initial, {
				...initial,
				google_client_secret: ' s3cret ',
			} )
		).toEqual( { google_client_secret: 's3cret' } );
	} );

	it( 'never sends fields that wp-config.php sets', () => {
		const locked = lockedFields( {
			...SETTINGS,
			sidecar_url_locked: true,
		} );
		expect( [ ...locked ].sort() ).toEqual( [
			'sidecar_secret',
			'sidecar_url',
		] );
		const initial = valuesFromSettings( SETTINGS );
		expect(
			buildPayload(
				initial,
				{
					...initial,
					sidecar_url: 'http://elsewhere:1',
					sidecar_secret: 'x'.repeat( 40 ),
				},
				locked
			)
		).toEqual( {} );
	} );

	it( 'lists errors in form order, unknown fields last', () => {
		expect(
			orderedErrors( {
				calendar_id: 'bad calendar',
				mystery: 'odd',
				google_client_id: 'bad id',
			} )
		).toEqual( [
			[ 'google_client_id', 'bad id' ],
			[ 'calendar_id', 'bad calendar' ],
			[ 'mystery', 'odd' ],
		] );
	} );

	it( 'makes safe element ids', () => {
		expect( fieldId( 'join_window_minutes' ) ).toBe(
			'mfk-field-join_window_minutes'
		);
		expect( fieldId( 'a b"c' ) ).toBe( 'mfk-field-a-b-c' );
	} );
} );
