/**
 * The Meet space of a meeting (docs/sidecar-api.md, "Meet space access"): its access type and
 * automatic artifacts, set after the event and its conference exist, as a step of its own; and
 * who came to the consultation (attendance).
 */
import type { FastifyPluginAsync } from 'fastify';
import { withSession } from '../../meetings/operations';
import { applySpaceAccess, type AccessType } from '../../meetings/space-access';
import type { ClientInput } from '../../oauth/flow';
import { readAttendance } from '../../meetings/attendance';
import { attendanceBody, spaceAccessBody } from '../../schemas/spaces';

interface SpaceAccessBody {
	siteId: string;
	client: ClientInput;
	credential: string;
	meetingCode: string;
	accessType: AccessType;
}

const spaces: FastifyPluginAsync = async ( app ) => {
	app.post< { Body: SpaceAccessBody } >(
		'/v1/meetings/access',
		{ schema: { body: spaceAccessBody } },
		async ( { body } ) =>
			withSession( app.ctx, body, ( session ) =>
				applySpaceAccess( session, {
					meetingCode: body.meetingCode,
					accessType: body.accessType,
				} )
			)
	);

	app.post< {
		Body: Omit< SpaceAccessBody, 'accessType' > & {
			from: string;
			to: string;
		};
	} >(
		'/v1/meetings/attendance',
		{ schema: { body: attendanceBody } },
		async ( { body } ) => {
			const from = new Date( body.from ).toISOString();
			const to = new Date( body.to ).toISOString();
			return withSession( app.ctx, body, ( session ) =>
				readAttendance( session, {
					meetingCode: body.meetingCode,
					from,
					to,
				} )
			);
		}
	);
};

export default spaces;
