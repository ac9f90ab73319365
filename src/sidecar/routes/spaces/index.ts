/**
 * The Meet space of a meeting (docs/sidecar-api.md, "Meet space access"): its access type and
 * automatic artifacts, set after the event and its conference exist, as a step of its own.
 */
import type { FastifyPluginAsync } from 'fastify';
import { withSession } from '../../meetings/operations';
import { applySpaceAccess, type AccessType } from '../../meetings/space-access';
import type { ClientInput } from '../../oauth/flow';
import { spaceAccessBody } from '../../schemas/spaces';

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
};

export default spaces;
