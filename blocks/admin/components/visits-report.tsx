/**
 * The video visits report (`GET /reports/visits`): past telemedicine appointments with whether
 * they took place, filtered by doctor, clinic, date range and outcome, totals per outcome, pages
 * read from the server, and a CSV download of every visit for the same filters. The server
 * limits a clinic admin to their clinics; the filters only offer what the viewer may see.
 */
import {
	Button,
	Notice,
	SelectControl,
	Spinner,
	TextControl,
} from '@wordpress/components';
import { useEffect, useState } from '@wordpress/element';
import { __, sprintf } from '@wordpress/i18n';
import { request, type ApiError } from '../api';
import { formatDateTime } from '../format';

export type VisitOutcome =
	'held' | 'patient_no_show' | 'doctor_no_show' | 'not_held' | 'unknown';

export interface Visit {
	appointment_id: number;
	start: string | null;
	end: string | null;
	doctor: { id: number; name: string };
	clinic: { id: number; name: string };
	outcome: VisitOutcome;
	minutes: number | null;
}

export interface VisitsPage {
	items: Visit[];
	total: number;
	totals: Record< VisitOutcome, number >;
	page: number;
	per_page: number;
	pages: number;
}

export interface Option {
	id: number;
	name: string;
}

export interface VisitFilters {
	doctor_id: string;
	clinic_id: string;
	from: string;
	to: string;
	outcome: string;
}

const OUTCOMES: VisitOutcome[] = [
	'held',
	'patient_no_show',
	'doctor_no_show',
	'not_held',
	'unknown',
];

const PER_PAGE = 25;

/** The words for an outcome. */
export function outcomeLabel( outcome: VisitOutcome ): string {
	switch ( outcome ) {
		case 'held':
			return __( 'Held', 'meet-for-kivicare' );
		case 'patient_no_show':
			return __( 'Patient did not come', 'meet-for-kivicare' );
		case 'doctor_no_show':
			return __( 'Doctor did not come', 'meet-for-kivicare' );
		case 'not_held':
			return __( 'Not held', 'meet-for-kivicare' );
		default:
			return __( 'Not yet known', 'meet-for-kivicare' );
	}
}

/** The query string of the filters (empty ones left out). */
export function filterQuery( filters: VisitFilters ): URLSearchParams {
	const query = new URLSearchParams();
	for ( const [ key, value ] of Object.entries( filters ) ) {
		if ( value ) {
			query.set( key, value );
		}
	}
	return query;
}

export default function VisitsReport( {
	clinics,
	doctors,
	csvUrl,
}: {
	clinics: Option[];
	doctors: Option[];
	csvUrl: string;
} ) {
	const [ filters, setFilters ] = useState< VisitFilters >( {
		doctor_id: '',
		clinic_id: '',
		from: '',
		to: '',
		outcome: '',
	} );
	const [ page, setPage ] = useState( 1 );
	const [ answer, setAnswer ] = useState< VisitsPage | null >( null );
	const [ error, setError ] = useState< ApiError | null >( null );
	const [ loading, setLoading ] = useState( true );

	useEffect( () => {
		let current = true;
		setLoading( true );
		const query = filterQuery( filters );
		query.set( 'page', String( page ) );
		query.set( 'per_page', String( PER_PAGE ) );
		request< VisitsPage >( `/reports/visits?${ query }` )
			.then( ( got ) => {
				if ( current ) {
					setAnswer( got );
					setError( null );
				}
			} )
			.catch( ( e ) => {
				if ( current ) {
					setError( e as ApiError );
				}
			} )
			.finally( () => {
				if ( current ) {
					setLoading( false );
				}
			} );
		return () => {
			current = false;
		};
	}, [ filters, page ] );

	const change = ( key: keyof VisitFilters ) => ( value: string ) => {
		setFilters( ( before ) => ( { ...before, [ key ]: value } ) );
		setPage( 1 );
	};

	const csvQuery = filterQuery( filters );
	csvQuery.set( 'format', 'csv' );
	const download = `${ csvUrl }${ csvUrl.includes( '?' ) ? '&' : '?' }${ csvQuery }`;

	return (
		<div className="mfk-visits">
			<div className="mfk-visits__filters">
				<SelectControl
					__nextHasNoMarginBottom
					__next40pxDefaultSize
					label={ __( 'Doctor', 'meet-for-kivicare' ) }
					value={ filters.doctor_id }
					options={ [
						{
							value: '',
							label: __( 'All doctors', 'meet-for-kivicare' ),
						},
						...doctors.map( ( d ) => ( {
							value: String( d.id ),
							label: d.name,
						} ) ),
					] }
					onChange={ change( 'doctor_id' ) }
				/>
				{ clinics.length > 1 && (
					<SelectControl
						__nextHasNoMarginBottom
						__next40pxDefaultSize
						label={ __( 'Clinic', 'meet-for-kivicare' ) }
						value={ filters.clinic_id }
						options={ [
							{
								value: '',
								label: __( 'All clinics', 'meet-for-kivicare' ),
							},
							...clinics.map( ( c ) => ( {
								value: String( c.id ),
								label: c.name,
							} ) ),
						] }
						onChange={ change( 'clinic_id' ) }
					/>
				) }
				<TextControl
					__nextHasNoMarginBottom
					__next40pxDefaultSize
					type="date"
					label={ __( 'From', 'meet-for-kivicare' ) }
					value={ filters.from }
					onChange={ change( 'from' ) }
				/>
				<TextControl
					__nextHasNoMarginBottom
					__next40pxDefaultSize
					type="date"
					label={ __( 'To', 'meet-for-kivicare' ) }
					value={ filters.to }
					onChange={ change( 'to' ) }
				/>
				<SelectControl
					__nextHasNoMarginBottom
					__next40pxDefaultSize
					label={ __( 'Outcome', 'meet-for-kivicare' ) }
					value={ filters.outcome }
					options={ [
						{
							value: '',
							label: __( 'Any outcome', 'meet-for-kivicare' ),
						},
						...OUTCOMES.map( ( o ) => ( {
							value: o as string,
							label: outcomeLabel( o ),
						} ) ),
					] }
					onChange={ change( 'outcome' ) }
				/>
				<Button variant="secondary" href={ download }>
					{ __( 'Download CSV', 'meet-for-kivicare' ) }
				</Button>
			</div>
			{ error && (
				<Notice status="error" isDismissible={ false }>
					{ sprintf(
						/* translators: %s: error message. */
						__(
							'The visits could not be loaded: %s',
							'meet-for-kivicare'
						),
						error.message
					) }
				</Notice>
			) }
			{ ! answer && ! error && <Spinner /> }
			{ answer && (
				<>
					<ul className="mfk-visits__totals" aria-live="polite">
						{ OUTCOMES.map( ( o ) => (
							<li key={ o } data-outcome={ o }>
								{ outcomeLabel( o ) }:{ ' ' }
								<strong>{ answer.totals[ o ] ?? 0 }</strong>
							</li>
						) ) }
					</ul>
					{ answer.items.length === 0 ? (
						<p>
							{ __(
								'No past video visits match these filters.',
								'meet-for-kivicare'
							) }
						</p>
					) : (
						<div
							className="mfk-table-scroll"
							role="region"
							aria-labelledby="mfk-visits-caption"
							tabIndex={ 0 }
						>
							<table className="wp-list-table widefat striped mfk-visits__table">
								<caption id="mfk-visits-caption">
									{ __(
										'Past video visits, newest first',
										'meet-for-kivicare'
									) }
								</caption>
								<thead>
									<tr>
										<th scope="col">
											{ __(
												'Date',
												'meet-for-kivicare'
											) }
										</th>
										<th scope="col">
											{ __(
												'Doctor',
												'meet-for-kivicare'
											) }
										</th>
										<th scope="col">
											{ __(
												'Clinic',
												'meet-for-kivicare'
											) }
										</th>
										<th scope="col">
											{ __(
												'Outcome',
												'meet-for-kivicare'
											) }
										</th>
										<th scope="col">
											{ __(
												'Minutes',
												'meet-for-kivicare'
											) }
										</th>
									</tr>
								</thead>
								<tbody>
									{ answer.items.map( ( v ) => (
										<tr
											key={ v.appointment_id }
											data-appointment-id={
												v.appointment_id
											}
										>
											<th scope="row">
												{ formatDateTime( v.start ) }
											</th>
											<td>{ v.doctor.name }</td>
											<td>{ v.clinic.name }</td>
											<td>
												<span
													className={ `mfk-badge is-${ v.outcome }` }
												>
													{ outcomeLabel(
														v.outcome
													) }
												</span>
											</td>
											<td>{ v.minutes ?? '—' }</td>
										</tr>
									) ) }
								</tbody>
							</table>
						</div>
					) }
					{ answer.pages > 1 && (
						<div className="mfk-visits__pages">
							<Button
								variant="secondary"
								disabled={ loading || page <= 1 }
								onClick={ () => setPage( page - 1 ) }
							>
								{ __( 'Previous page', 'meet-for-kivicare' ) }
							</Button>
							<span>
								{ sprintf(
									/* translators: 1: page number, 2: number of pages, 3: number of visits. */
									__(
										'Page %1$d of %2$d (%3$d visits)',
										'meet-for-kivicare'
									),
									answer.page,
									answer.pages,
									answer.total
								) }
							</span>
							<Button
								variant="secondary"
								disabled={ loading || page >= answer.pages }
								onClick={ () => setPage( page + 1 ) }
							>
								{ __( 'Next page', 'meet-for-kivicare' ) }
							</Button>
						</div>
					) }
				</>
			) }
		</div>
	);
}
