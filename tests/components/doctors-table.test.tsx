/**
 * The doctors' table against a stand-in of the REST API: what each viewer may do comes from the
 * server (`can_invite`, `can_disconnect`); a connection link is offered to doctors who are not
 * connected or must reconnect, sent with one request, confirmed in words and shown on the row;
 * a failure says why.
 */
import DoctorsTable from '../../blocks/admin/components/doctors-table';
import type { DoctorConnection } from '../../blocks/admin/types';
import { DOCTORS } from './fixtures';
import {
	byText,
	click,
	fakeRest,
	mount,
	settle,
	type Mounted,
} from './support';

let mounted: Mounted | undefined;

afterEach( () => {
	mounted?.unmount();
	mounted = undefined;
	document.body.innerHTML = '';
} );

function rowOf( id: number ): HTMLElement {
	return mounted!.container.querySelector< HTMLElement >(
		`tr[data-doctor-id="${ id }"]`
	)!;
}

/** The doctors as a clinic admin sees them: links to send, nobody to disconnect. */
function asClinicAdmin( until: string | null = null ): {
	doctors: DoctorConnection[];
} {
	return {
		doctors: ( DOCTORS.doctors as DoctorConnection[] ).map( ( d ) => ( {
			...d,
			can_invite: true,
			can_disconnect: false,
			invite_until: d.doctor_id === 4 ? until : null,
		} ) ),
	};
}

describe( 'DoctorsTable', () => {
	it( 'offers a connection link to doctors who need one, and sends it', async () => {
		let sent = false;
		const calls = fakeRest( {
			'GET /connections': () => ( {
				body: asClinicAdmin(
					sent ? '2030-01-04T10:00:00+00:00' : null
				),
			} ),
			'POST /connections/4/invite': () => {
				sent = true;
				return {
					body: {
						doctor_id: 4,
						expires_at: '2030-01-04T10:00:00+00:00',
					},
				};
			},
		} );
		mounted = await mount( <DoctorsTable /> );
		await settle();

		expect( rowOf( 3 ).textContent ).not.toContain( 'E-mail' );
		expect( rowOf( 5 ).textContent ).toContain( 'E-mail a reconnect link' );
		// Clinic staff do not disconnect doctors.
		expect( mounted.container.textContent ).not.toContain( 'Disconnect' );

		await click(
			byText( rowOf( 4 ), 'E-mail a connection link Anna Never' )
		);
		await settle();
		expect(
			calls.filter( ( c ) => c.method === 'POST' ).map( ( c ) => c.path )
		).toEqual( [ '/connections/4/invite' ] );
		expect( mounted.container.textContent ).toContain(
			'A link to connect Google was e-mailed to Anna Never. It works once, for their account only, for 3 days.'
		);
		expect( rowOf( 4 ).textContent ).toContain( 'Link sent, valid until' );
	} );

	it( 'says why a link could not be sent', async () => {
		fakeRest( {
			'GET /connections': { body: asClinicAdmin() },
			'POST /connections/4/invite': {
				status: 502,
				body: {
					code: 'mail_failed',
					message: 'WordPress could not send the e-mail.',
					data: { status: 502 },
				},
			},
		} );
		mounted = await mount( <DoctorsTable /> );
		await settle();
		await click(
			byText( rowOf( 4 ), 'E-mail a connection link Anna Never' )
		);
		await settle();
		expect( mounted.container.textContent ).toContain(
			'The link could not be sent: WordPress could not send the e-mail.'
		);
	} );

	it( 'names the calendar that receives each connected doctor’s meetings, for clinic staff and administrators alike', async () => {
		for ( const canDisconnect of [ false, true ] ) {
			fakeRest( {
				'GET /connections': {
					body: {
						doctors: ( DOCTORS.doctors as DoctorConnection[] ).map(
							( d ) => ( { ...d, can_disconnect: canDisconnect } )
						),
					},
				},
			} );
			mounted = await mount( <DoctorsTable /> );
			await settle();
			const headers = Array.from(
				mounted.container.querySelectorAll( 'thead th' ),
				( th ) => th.textContent
			);
			const column = headers.indexOf( 'Calendar' );
			expect( column ).toBe( headers.indexOf( 'Google account' ) + 1 );
			const cell = ( id: number ) =>
				rowOf( id ).children[ column ]!.textContent;
			expect( cell( 3 ) ).toBe( 'Video consultations' );
			expect( cell( 5 ) ).toBe( 'Primary calendar' );
			// Not connected: no calendar receives anything.
			expect( cell( 4 ) ).toBe( '—' );
			mounted.unmount();
			mounted = undefined;
		}
	} );

	it( 'shows no link to send where the viewer may not send one', async () => {
		fakeRest( {
			'GET /connections': {
				body: {
					doctors: ( DOCTORS.doctors as DoctorConnection[] ).map(
						( d ) => ( {
							...d,
							can_invite: false,
							can_disconnect: false,
						} )
					),
				},
			},
		} );
		mounted = await mount( <DoctorsTable /> );
		await settle();
		expect( mounted.container.querySelectorAll( 'button' ) ).toHaveLength(
			0
		);
		expect( rowOf( 5 ).textContent ).toContain( 'Reconnect needed' );
	} );
} );
