/**
 * Calendar API v3 (registered under `/calendar/v3`): the event operations the product uses (and
 * a little more), incremental sync, push channels, free/busy, calendars.get and calendarList.get. Bearer tokens, scopes and per-user /
 * per-project rate limits are checked as Google does.
 */
import type { AreaPlugin } from '../area-plugin';
import type { ApiRoute } from '../pipeline/api-route';
import { calendarMetadataRoutes } from './calendar-metadata-routes';
import { channelRoutes } from './channels';
import { eventRoutes } from './event-routes';
import { freeBusyRoutes } from './free-busy';
import { pathOf } from './request';

export const calendarRoutes: AreaPlugin = async ( app, { state } ) => {
	const facts: ApiRoute[ 'facts' ] = ( request, grant ) => {
		const { calendarId } = pathOf( request );
		if ( ! calendarId ) {
			return {};
		}
		return {
			calendarId:
				calendarId === 'primary' && grant ? grant.email : calendarId,
		};
	};
	eventRoutes( app, state, facts );
	calendarMetadataRoutes( app, state, facts );
	channelRoutes( app, state, facts );
	freeBusyRoutes( app, state );
};
