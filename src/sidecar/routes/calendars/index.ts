/**
 * A doctor's calendars (docs/sidecar-api.md, "Calendars"): those that can receive consultations,
 * and the "Video consultations" calendar made once for the doctor.
 */
import type { FastifyPluginAsync } from 'fastify';
import { busyTimes } from '../../calendars/busy';
import { consultationCalendar, listCalendars } from '../../calendars/calendars';
import { withSession } from '../../meetings/operations';
import { SidecarError } from '../../errors';
import { canonicalTimeZone } from '../../meetings/time';
import type { ClientInput } from '../../oauth/flow';
import {
	busyTimesBody,
	busyTimesManyBody,
	calendarListBody,
	consultationCalendarBody,
} from '../../schemas/calendars';

interface DoctorBody {
	siteId: string;
	client: ClientInput;
	credential: string;
}

export const DEFAULT_CALENDAR_SUMMARY = 'Video consultations';

const calendars: FastifyPluginAsync = async ( app ) => {
	const { ctx } = app;

	app.post< { Body: DoctorBody } >(
		'/v1/calendars/list',
		{ schema: { body: calendarListBody } },
		async ( { body } ) => withSession( ctx, body, listCalendars )
	);

	app.post< {
		Body: DoctorBody & {
			summary?: string | null;
			timeZone?: string | null;
		};
	} >(
		'/v1/calendars/consultations',
		{ schema: { body: consultationCalendarBody } },
		async ( { body } ) => {
			// A zone ICU does not know is left out: Google then uses the account's own.
			const timeZone = body.timeZone
				? canonicalTimeZone( body.timeZone )
				: null;
			return withSession( ctx, body, ( session ) =>
				consultationCalendar( session, {
					summary: body.summary ?? DEFAULT_CALENDAR_SUMMARY,
					...( timeZone ? { timeZone } : {} ),
				} )
			);
		}
	);

	app.post< {
		Body: DoctorBody & {
			calendarIds?: string[] | null;
			timeMin: string;
			timeMax: string;
		};
	} >(
		'/v1/calendars/busy',
		{ schema: { body: busyTimesBody } },
		async ( { body } ) =>
			withSession( ctx, body, ( session ) =>
				busyTimes( session, {
					calendarIds: body.calendarIds ?? [ 'primary' ],
					timeMin: body.timeMin,
					timeMax: body.timeMax,
				} )
			)
	);

	/**
	 * Several doctors' busy times in one request (a view that shows many doctors): one
	 * freebusy.query per doctor with their own token (free/busy is per user), run side by side;
	 * each doctor answers on their own, a failure included.
	 */
	app.post< {
		Body: {
			siteId: string;
			client: ClientInput;
			timeMin: string;
			timeMax: string;
			doctors: Array< {
				ref: string;
				credential: string;
				calendarIds?: string[] | null;
			} >;
		};
	} >(
		'/v1/calendars/busy/many',
		{ schema: { body: busyTimesManyBody } },
		async ( { body } ) => ( {
			doctors: await Promise.all(
				body.doctors.map( async ( doctor ) => {
					try {
						return {
							ref: doctor.ref,
							...( await withSession(
								ctx,
								{
									siteId: body.siteId,
									client: body.client,
									credential: doctor.credential,
								},
								( session ) =>
									busyTimes( session, {
										calendarIds: doctor.calendarIds ?? [
											'primary',
										],
										timeMin: body.timeMin,
										timeMax: body.timeMax,
									} )
							) ),
						};
					} catch ( error ) {
						if ( ! ( error instanceof SidecarError ) ) {
							throw error;
						}
						const { credential, ...data } = error.details;
						return {
							ref: doctor.ref,
							error: {
								code: error.code,
								message: error.message,
								data,
							},
							...( credential ? { credential } : {} ),
						};
					}
				} )
			),
		} )
	);
};

export default calendars;
