/**
 * A doctor's calendars (docs/sidecar-api.md, "Calendars"): those that can receive consultations,
 * and the "Video consultations" calendar made once for the doctor.
 */
import type { FastifyPluginAsync } from 'fastify';
import { busyTimes } from '../../calendars/busy';
import { consultationCalendar, listCalendars } from '../../calendars/calendars';
import { withSession } from '../../meetings/operations';
import { canonicalTimeZone } from '../../meetings/time';
import type { ClientInput } from '../../oauth/flow';
import {
	busyTimesBody,
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
};

export default calendars;
