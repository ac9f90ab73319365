/**
 * Changes made in the doctor's Google Calendar (docs/sidecar-api.md, "Calendar sync"): open and
 * stop a push channel on the calendar, and read what changed since a sync token.
 */
import type { FastifyPluginAsync } from 'fastify';
import { stopChannel, syncEvents, watchCalendar } from '../../calendars/sync';
import { withSession } from '../../meetings/operations';
import type { ClientInput } from '../../oauth/flow';
import { stopBody, syncBody, watchBody } from '../../schemas/sync';

interface DoctorBody {
	siteId: string;
	client: ClientInput;
	credential: string;
	calendarId?: string | null;
}

const sync: FastifyPluginAsync = async ( app ) => {
	const { ctx } = app;

	app.post< {
		Body: DoctorBody & {
			channelId: string;
			token: string;
			address: string;
			ttlSeconds?: number | null;
		};
	} >(
		'/v1/calendars/watch',
		{ schema: { body: watchBody } },
		async ( { body } ) =>
			withSession( ctx, body, ( session ) =>
				watchCalendar( session, {
					calendarId: body.calendarId ?? 'primary',
					channelId: body.channelId,
					token: body.token,
					address: body.address,
					...( body.ttlSeconds
						? { ttlSeconds: body.ttlSeconds }
						: {} ),
				} )
			)
	);

	app.post< {
		Body: DoctorBody & { channelId: string; resourceId: string };
	} >(
		'/v1/calendars/stop-watch',
		{ schema: { body: stopBody } },
		async ( { body } ) =>
			withSession( ctx, body, ( session ) =>
				stopChannel( session, {
					channelId: body.channelId,
					resourceId: body.resourceId,
				} )
			)
	);

	app.post< {
		Body: DoctorBody & {
			syncToken?: string | null;
			pageToken?: string | null;
		};
	} >(
		'/v1/calendars/sync',
		{ schema: { body: syncBody } },
		async ( { body } ) =>
			withSession( ctx, body, ( session ) =>
				syncEvents( session, {
					siteId: body.siteId,
					calendarId: body.calendarId ?? 'primary',
					...( body.syncToken ? { syncToken: body.syncToken } : {} ),
					...( body.pageToken ? { pageToken: body.pageToken } : {} ),
				} )
			)
	);
};

export default sync;
