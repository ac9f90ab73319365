/**
 * One Google Meet per appointment: ensure, reschedule, cancel, get (docs/sidecar-api.md). The
 * same operations run inside `/v1/batch`.
 */
import type { FastifyPluginAsync } from 'fastify';
import { runMeetingOp, type MeetingBody } from '../../meetings/operations';
import { MEETING_OPS, meetingBodies } from '../../schemas/meetings';

const meetings: FastifyPluginAsync = async ( app ) => {
	for ( const op of MEETING_OPS ) {
		app.post< { Body: MeetingBody } >(
			`/v1/meetings/${ op }`,
			{ schema: { body: meetingBodies[ op ] } },
			async ( { body } ) => runMeetingOp( app.ctx, op, body )
		);
	}
};

export default meetings;
