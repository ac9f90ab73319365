/**
 * The doctor's calendar choice on the connection panel
 * (blocks/admin/components/connection-panel/calendar-choice.tsx, hooks/use-calendar-choice.ts)
 * against a stand-in of the REST API: the calendar in use, the permission asked only when the
 * choice is opened, the calendars offered, a choice saved and explained, the "Video
 * consultations" calendar made, errors, and the administrator's read-only line.
 */
import ConnectionPanel from '../../blocks/admin/components/connection-panel';
import type { CalendarChoices, Connection } from '../../blocks/admin/types';
import {
	byText,
	click,
	fakeRest,
	mount,
	settle,
	type Mounted,
} from './support';

const ACTIVE: Connection = {
	doctor_id: 7,
	status: 'active',
	email: 'dr.ada@gmail.test',
	reason_code: null,
	reason_message: null,
	connected_at: '2030-01-01T10:00:00+00:00',
	calendar_name: 'Your primary calendar',
};

const PRIMARY = {
	id: 'primary',
	summary: 'Your primary calendar',
	primary: true,
};

const ALLOWED: CalendarChoices = {
	current: PRIMARY,
	access: { list: true, create: true },
	calendars: [
		{
			id: 'dr.ada@gmail.test',
			summary: 'dr.ada@gmail.test',
			primary: true,
			access_role: 'owner',
			consultations: false,
		},
		{
			id: 'team@group.calendar.google.com',
			summary: 'Clinic team',
			primary: false,
			access_role: 'writer',
			consultations: false,
		},
	],
};

let mounted: Mounted | undefined;

afterEach( () => {
	mounted?.unmount();
	mounted = undefined;
	document.body.innerHTML = '';
	window.history.replaceState(
		null,
		'',
		'/wp-admin/admin.php?page=mfk-google-connection'
	);
} );

const choice = () =>
	mounted!.container.querySelector< HTMLElement >( '.mfk-calendar-choice' )!;

const radio = ( label: string ) =>
	Array.from(
		choice().querySelectorAll< HTMLInputElement >( 'input[type=radio]' )
	).find(
		( input ) =>
			choice()
				.querySelector( `label[for="${ input.id }"]` )
				?.textContent?.trim() === label
	);

describe( 'CalendarChoice', () => {
	it( 'shows where consultations go and reads nothing from Google until the choice is opened', async () => {
		const calls = fakeRest( { 'GET /connection': { body: ACTIVE } } );
		mounted = await mount( <ConnectionPanel canConnect /> );
		await settle();
		expect( choice().textContent ).toContain(
			'Your video consultations go to: Your primary calendar.'
		);
		expect( calls.map( ( c ) => c.path ) ).toEqual( [ '/connection' ] );
		expect( byText( choice(), 'Choose another calendar' ) ).toBeDefined();
	} );

	it( 'without the permission: explains it and sends the doctor to Google, coming back to the choice', async () => {
		const calls = fakeRest( {
			'GET /connection': { body: ACTIVE },
			'GET /connection/calendars': {
				body: {
					current: PRIMARY,
					access: { list: false, create: false },
					calendars: [],
				},
			},
			'POST /connection/calendar/access': {
				body: { url: 'https://accounts.google.test/auth?scope=more' },
			},
		} );
		const navigate = jest.fn();
		mounted = await mount(
			<ConnectionPanel canConnect navigate={ navigate } />
		);
		await settle();
		await click( byText( choice(), 'Choose another calendar' ) );
		await settle();
		expect( choice().textContent ).toContain(
			'Without it, consultations go to your primary calendar.'
		);
		await click( byText( choice(), 'Allow in Google' ) );
		await settle();
		expect( navigate ).toHaveBeenCalledWith(
			'https://accounts.google.test/auth?scope=more'
		);
		const asked = calls.find(
			( c ) => c.path === '/connection/calendar/access'
		);
		expect( asked?.data ).toEqual( {
			return_to: `${ window.location.origin }/wp-admin/admin.php?page=mfk-google-connection#mfk-calendar`,
		} );
	} );

	it( 'back from Google (#mfk-calendar): the choice opens; a calendar is chosen and the change explained', async () => {
		const calls = fakeRest( {
			'GET /connection': { body: ACTIVE },
			'GET /connection/calendars': { body: ALLOWED },
			'POST /connection/calendar': {
				body: {
					current: {
						id: 'team@group.calendar.google.com',
						summary: 'Clinic team',
						primary: false,
						moved: 2,
					},
				},
			},
		} );
		window.history.replaceState(
			null,
			'',
			'/wp-admin/admin.php?page=mfk-google-connection&mfk_connected=1#mfk-calendar'
		);
		mounted = await mount( <ConnectionPanel canConnect /> );
		await settle();
		expect( mounted.container.textContent ).toContain(
			'Google allowed the calendar choice. Choose below where your video consultations go.'
		);
		expect( window.location.search ).toBe( '?page=mfk-google-connection' );
		expect( window.location.hash ).toBe( '#mfk-calendar' );
		expect(
			radio( 'dr.ada@gmail.test (your primary calendar)' )?.checked
		).toBe( true );
		expect(
			radio(
				'A new “Video consultations” calendar, made for you in your Google account'
			)
		).toBeDefined();
		expect( choice().textContent ).toContain(
			'Consultations already booked stay in the calendar they are in.'
		);
		await click( radio( 'Clinic team' ) );
		await click( byText( choice(), 'Use this calendar' ) );
		await settle();
		expect(
			calls.find( ( c ) => c.path === '/connection/calendar' )?.data
		).toEqual( { calendar_id: 'team@group.calendar.google.com' } );
		expect( choice().textContent ).toContain(
			'New video consultations will go to “Clinic team”. Consultations already booked stay in their calendar.'
		);
		expect( choice().textContent ).toContain(
			'2 meetings whose calendar had disappeared are being created there now.'
		);
		expect( choice().textContent ).toContain(
			'Your video consultations go to: Clinic team.'
		);
	} );

	it( 'makes the "Video consultations" calendar, and does not offer a second one', async () => {
		let made = false;
		const calls = fakeRest( {
			'GET /connection': { body: ACTIVE },
			'GET /connection/calendars': () => ( {
				body: made
					? {
							...ALLOWED,
							current: {
								id: 'vc@group.calendar.google.com',
								summary: 'Video consultations',
								primary: false,
							},
							calendars: [
								...ALLOWED.calendars,
								{
									id: 'vc@group.calendar.google.com',
									summary: 'Video consultations',
									primary: false,
									access_role: 'owner',
									consultations: true,
								},
							],
						}
					: ALLOWED,
			} ),
			'POST /connection/calendar/consultations': () => {
				made = true;
				return {
					body: {
						current: {
							id: 'vc@group.calendar.google.com',
							summary: 'Video consultations',
							primary: false,
							moved: 0,
							created: true,
						},
					},
				};
			},
		} );
		mounted = await mount( <ConnectionPanel canConnect /> );
		await settle();
		await click( byText( choice(), 'Choose another calendar' ) );
		await settle();
		await click(
			radio(
				'A new “Video consultations” calendar, made for you in your Google account'
			)
		);
		await click( byText( choice(), 'Make the calendar and use it' ) );
		await settle();
		expect(
			calls.filter(
				( c ) => c.path === '/connection/calendar/consultations'
			)
		).toHaveLength( 1 );
		expect( radio( 'Video consultations' )?.checked ).toBe( true );
		expect(
			radio(
				'A new “Video consultations” calendar, made for you in your Google account'
			)
		).toBeUndefined();
		expect( choice().textContent ).toContain(
			'Your video consultations go to: Video consultations.'
		);
	} );

	it( 'a refused choice says why and keeps the calendar in use', async () => {
		fakeRest( {
			'GET /connection': { body: ACTIVE },
			'GET /connection/calendars': { body: ALLOWED },
			'POST /connection/calendar': {
				status: 400,
				body: {
					code: 'invalid_param',
					message:
						'This calendar cannot receive your consultations: it is not in your Google calendar list, you cannot add events to it, or Google Meet is turned off for it.',
					data: { status: 400 },
				},
			},
		} );
		mounted = await mount( <ConnectionPanel canConnect /> );
		await settle();
		await click( byText( choice(), 'Choose another calendar' ) );
		await settle();
		await click( radio( 'Clinic team' ) );
		await click( byText( choice(), 'Use this calendar' ) );
		await settle();
		expect( choice().textContent ).toContain(
			'The calendar was not changed: This calendar cannot receive your consultations'
		);
		expect( choice().textContent ).toContain(
			'Your video consultations go to: Your primary calendar.'
		);
	} );

	it( "an administrator sees the doctor's calendar, without a choice", async () => {
		fakeRest( {
			'GET /connection': {
				body: { ...ACTIVE, calendar_name: 'Clinic team' },
			},
		} );
		mounted = await mount(
			<ConnectionPanel doctorId={ 7 } canConnect={ false } />
		);
		await settle();
		expect( choice().textContent ).toContain(
			'Video consultations go to: Clinic team.'
		);
		expect( byText( choice(), 'Choose another calendar' ) ).toBeUndefined();
	} );
} );
