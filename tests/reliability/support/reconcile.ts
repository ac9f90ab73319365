/**
 * The end of every fault scenario: WordPress's final state against the emulator's calendars.
 *
 * For each appointment the scenario made, WordPress (KiviCare's appointment row and the mapping
 * row) says whether a meeting should exist. Google must then hold exactly one live event for it,
 * in its doctor's calendar, at the appointment's instant, whose Meet link is the one WordPress
 * shows; and no live event for an appointment that was cancelled or deleted.
 */
import { query } from '../../harness/testkit';
import {
	calendarEvents,
	MAPPINGS,
	type GoogleEvent,
} from '../../integration/support/meet';
import type { World } from './world';

export interface Reconciliation {
	/** Appointments WordPress says should have a meeting. */
	expected: number;
	/** Of those, the ones with exactly one matching live event and a ready link. */
	found: number;
	/** Live events beyond the first for one appointment. */
	duplicates: number;
	/** Expected meetings without a matching live event or without a ready link. */
	lost: number;
	/** Live events of appointments that are cancelled or deleted. */
	stray: number;
	/** Appointments that should have no meeting (cancelled or deleted). */
	withoutMeeting: number;
	/** One line per problem, for the failure message. */
	problems: string[];
}

interface AppointmentRow {
	id: number;
	status: number;
	doctor_id: number;
	appointment_start_utc: string | null;
	appointment_end_utc: string | null;
}

interface MappingRow {
	appointment_id: number;
	state: string;
	desired: string;
	url: string;
	last_error_code: string;
}

const utc = ( sql: string | null ) =>
	sql ? Date.parse( sql.replace( ' ', 'T' ) + 'Z' ) : NaN;

function placeholders( ids: number[] ): string {
	return ids.map( () => '?' ).join( ',' );
}

/** Every event of the world's doctors' calendars made by this site, by appointment id. */
export async function eventsByAppointment(
	world: World
): Promise< Map< number, Array< GoogleEvent & { calendar: string } > > > {
	const out = new Map<
		number,
		Array< GoogleEvent & { calendar: string } >
	>();
	for ( const doctor of world.doctors ) {
		for ( const event of await calendarEvents( doctor.email ) ) {
			const props = event.extendedProperties?.private ?? {};
			if ( props.mfkSiteId !== world.siteId ) {
				continue;
			}
			const id = Number( props.mfkAppointmentId );
			const list = out.get( id ) ?? [];
			list.push( { ...event, calendar: doctor.email } );
			out.set( id, list );
		}
	}
	return out;
}

export async function reconcile(
	world: World,
	ids: number[] = world.appointments
): Promise< Reconciliation > {
	const result: Reconciliation = {
		expected: 0,
		found: 0,
		duplicates: 0,
		lost: 0,
		stray: 0,
		withoutMeeting: 0,
		problems: [],
	};
	if ( ids.length === 0 ) {
		return result;
	}
	const appointments = new Map(
		(
			await query< AppointmentRow >(
				`SELECT id, status, doctor_id, appointment_start_utc, appointment_end_utc FROM wp_kc_appointments WHERE id IN (${ placeholders( ids ) })`,
				ids
			)
		).map( ( a ) => [ Number( a.id ), a ] )
	);
	const rows = new Map(
		(
			await query< MappingRow >(
				`SELECT appointment_id, state, desired, url, last_error_code FROM ${ MAPPINGS } WHERE appointment_id IN (${ placeholders( ids ) })`,
				ids
			)
		).map( ( r ) => [ Number( r.appointment_id ), r ] )
	);
	const events = await eventsByAppointment( world );
	const emails = new Map(
		world.doctors.map( ( d ) => [ d.user.id, d.email.toLowerCase() ] )
	);

	for ( const id of ids ) {
		const appointment = appointments.get( id );
		const row = rows.get( id );
		const live = ( events.get( id ) ?? [] ).filter(
			( e ) => e.status !== 'cancelled'
		);
		const shouldHave = !! appointment && Number( appointment.status ) !== 0;
		if ( ! shouldHave ) {
			result.withoutMeeting++;
			if ( live.length > 0 ) {
				result.stray += live.length;
				result.problems.push(
					`#${ id } (${ appointment ? 'cancelled' : 'deleted' }): ${ live.length } live event(s) in ${ live.map( ( e ) => e.calendar ).join( ', ' ) }`
				);
			}
			if ( row && row.state !== 'cancelled' ) {
				result.problems.push(
					`#${ id } (${ appointment ? 'cancelled' : 'deleted' }): mapping row is ${ row.state } (${ row.last_error_code })`
				);
				result.lost++;
			}
			continue;
		}
		result.expected++;
		if ( live.length > 1 ) {
			result.duplicates += live.length - 1;
			result.problems.push(
				`#${ id }: ${ live.length } live events (${ live.map( ( e ) => `${ e.calendar }/${ e.id }` ).join( ', ' ) })`
			);
		}
		const wantCalendar = emails.get( Number( appointment.doctor_id ) );
		const event = live.find( ( e ) => e.calendar === wantCalendar );
		const why: string[] = [];
		if ( ! row ) {
			why.push( 'no mapping row' );
		} else if ( row.state !== 'ready' ) {
			why.push( `mapping row ${ row.state } (${ row.last_error_code })` );
		}
		if ( ! event ) {
			why.push(
				live.length
					? `event only in ${ live.map( ( e ) => e.calendar ).join( ', ' ) }`
					: 'no live event at Google'
			);
		} else {
			if ( ! event.hangoutLink || event.hangoutLink !== row?.url ) {
				why.push(
					`link differs (WordPress "${ row?.url ?? '' }", Google "${ event.hangoutLink ?? '' }")`
				);
			}
			if (
				Date.parse( event.start.dateTime ) !==
					utc( appointment.appointment_start_utc ) ||
				Date.parse( event.end.dateTime ) !==
					utc( appointment.appointment_end_utc )
			) {
				why.push(
					`time differs (KiviCare ${ appointment.appointment_start_utc }–${ appointment.appointment_end_utc } UTC, Google ${ event.start.dateTime }–${ event.end.dateTime })`
				);
			}
		}
		if ( why.length ) {
			result.lost++;
			result.problems.push( `#${ id }: ${ why.join( '; ' ) }` );
		} else {
			result.found++;
		}
	}
	return result;
}

/** Rows per state among the given appointments (for the figures). */
export async function statesOf(
	ids: number[]
): Promise< Record< string, number > > {
	if ( ids.length === 0 ) {
		return {};
	}
	const rows = await query< { state: string; n: number } >(
		`SELECT state, COUNT(*) AS n FROM ${ MAPPINGS } WHERE appointment_id IN (${ placeholders( ids ) }) GROUP BY state`,
		ids
	);
	return Object.fromEntries(
		rows.map( ( r ) => [ r.state, Number( r.n ) ] )
	);
}
