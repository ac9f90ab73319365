/**
 * The video visits report against a stand-in of the REST API: the first page with totals per
 * outcome, filters sent to the server (and back to page 1), server pages, the CSV link carrying
 * the same filters, and a refusal shown as an error.
 */
import VisitsReport, {
	type VisitsPage,
} from '../../blocks/admin/components/visits-report';
import {
	byText,
	click,
	fakeRest,
	mount,
	settle,
	type Mounted,
} from './support';
import { act } from 'react';

let mounted: Mounted | undefined;

afterEach( () => {
	mounted?.unmount();
	mounted = undefined;
	document.body.innerHTML = '';
} );

const CLINICS = [
	{ id: 1, name: 'North' },
	{ id: 2, name: 'South' },
];
const DOCTORS = [
	{ id: 7, name: 'Ada Lovelace' },
	{ id: 8, name: 'Bea Brown' },
];

function pageOf( page: number, pages = 3 ): VisitsPage {
	return {
		items: [
			{
				appointment_id: 100 + page,
				start: '2030-01-02T09:00:00+00:00',
				end: '2030-01-02T09:30:00+00:00',
				doctor: { id: 7, name: 'Ada Lovelace' },
				clinic: { id: 1, name: 'North' },
				outcome: page === 1 ? 'held' : 'patient_no_show',
				minutes: page === 1 ? 27 : 5,
			},
		],
		total: 51,
		totals: {
			held: 40,
			patient_no_show: 6,
			doctor_no_show: 2,
			not_held: 1,
			unknown: 2,
		},
		page,
		per_page: 25,
		pages,
	};
}

async function choose( label: string, value: string ) {
	const select = Array.from(
		mounted!.container.querySelectorAll( 'label' )
	).find( ( l ) => l.textContent?.trim() === label );
	const field = document.getElementById(
		select!.getAttribute( 'for' )!
	) as HTMLSelectElement;
	await act( async () => {
		field.value = value;
		field.dispatchEvent( new Event( 'change', { bubbles: true } ) );
	} );
	await settle();
}

describe( 'VisitsReport', () => {
	it( 'shows the first page with totals, sends filters and pages to the server, links the CSV with the same filters', async () => {
		const calls = fakeRest( {
			'GET /reports/visits': ( call ) => ( {
				body: pageOf( Number( call.query.get( 'page' ) ) ),
			} ),
		} );
		mounted = await mount(
			<VisitsReport
				clinics={ CLINICS }
				doctors={ DOCTORS }
				csvUrl="https://site.test/wp-json/meet-for-kivicare/v1/reports/visits?_wpnonce=abc"
			/>
		);
		await settle();
		const { container } = mounted;
		expect( calls[ 0 ]!.query.get( 'page' ) ).toBe( '1' );
		expect(
			container.querySelector( '[data-outcome="held"]' )?.textContent
		).toBe( 'Held: 40' );
		expect(
			container.querySelector( '[data-outcome="unknown"]' )?.textContent
		).toBe( 'Not yet known: 2' );
		const row = container.querySelector( 'tr[data-appointment-id="101"]' );
		expect( row?.textContent ).toContain( 'Ada Lovelace' );
		expect( row?.textContent ).toContain( 'North' );
		expect( row?.textContent ).toContain( '27' );
		expect( container.textContent ).toContain( 'Page 1 of 3 (51 visits)' );

		await click( byText( container, 'Next page' ) );
		expect( calls.at( -1 )!.query.get( 'page' ) ).toBe( '2' );
		expect(
			container.querySelector( 'tr[data-appointment-id="102"]' )
				?.textContent
		).toContain( 'Patient did not come' );

		await choose( 'Doctor', '8' );
		await choose( 'Outcome', 'patient_no_show' );
		const last = calls.at( -1 )!;
		expect( last.query.get( 'doctor_id' ) ).toBe( '8' );
		expect( last.query.get( 'outcome' ) ).toBe( 'patient_no_show' );
		// A new filter starts again at page 1.
		expect( last.query.get( 'page' ) ).toBe( '1' );

		const csv = new URL(
			byText( container, 'Download CSV' )!.getAttribute( 'href' )!
		);
		expect( csv.searchParams.get( '_wpnonce' ) ).toBe( 'abc' );
		expect( csv.searchParams.get( 'format' ) ).toBe( 'csv' );
		expect( csv.searchParams.get( 'doctor_id' ) ).toBe( '8' );
		expect( csv.searchParams.get( 'outcome' ) ).toBe( 'patient_no_show' );
		expect( csv.searchParams.has( 'page' ) ).toBe( false );
	} );

	it( 'offers the clinic filter only with more than one clinic, and says when loading failed', async () => {
		fakeRest( {
			'GET /reports/visits': {
				status: 403,
				body: {
					code: 'rest_forbidden',
					message: 'Sorry, you are not allowed to do that.',
					data: { status: 403 },
				},
			},
		} );
		mounted = await mount(
			<VisitsReport
				clinics={ [ CLINICS[ 0 ]! ] }
				doctors={ DOCTORS }
				csvUrl=""
			/>
		);
		await settle();
		const labels = Array.from(
			mounted.container.querySelectorAll( 'label' )
		).map( ( l ) => l.textContent?.trim() );
		expect( labels ).not.toContain( 'Clinic' );
		expect( labels ).toContain( 'Doctor' );
		expect( mounted.container.textContent ).toContain(
			'The visits could not be loaded: Sorry, you are not allowed to do that.'
		);
		expect( mounted.container.querySelector( 'table' ) ).toBeNull();
	} );
} );
