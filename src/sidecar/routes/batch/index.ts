/**
 * `/v1/batch`: many meeting operations in one call, each checked against its meeting route's
 * schema on its own and answered in the order given (batch/run-batch.ts).
 */
import type { FastifyPluginAsync } from 'fastify';
import { runBatch, type BatchOperation } from '../../batch/run-batch';
import { fieldErrors } from '../../errors';
import type { GeneratedValidator } from '../../generated/validators';
import { restoreValidator } from '../../plugins/validation';
import { batchBody } from '../../schemas/batch';
import {
	MEETING_OPS,
	meetingBodies,
	type MeetingOp,
} from '../../schemas/meetings';

const batch: FastifyPluginAsync = async ( app ) => {
	// The very validators of the single meeting routes, looked up on first use (those routes
	// already refused to start had they been missing or out of date).
	let opValidators: Record< MeetingOp, GeneratedValidator > | undefined;
	const validate = ( operation: BatchOperation ) => {
		opValidators ??= Object.fromEntries(
			MEETING_OPS.map( ( op ) => [
				op,
				restoreValidator( {
					method: 'POST',
					url: `/v1/meetings/${ op }`,
					httpPart: 'body',
					schema: meetingBodies[ op ],
				} ),
			] )
		) as Record< MeetingOp, GeneratedValidator >;
		const check = opValidators[ operation.op ];
		return check( operation ) ? null : fieldErrors( check.errors ?? [] );
	};

	app.post< {
		Body: { operations: BatchOperation[]; budgetMs?: number | null };
	} >( '/v1/batch', { schema: { body: batchBody } }, async ( request ) => ( {
		results: await runBatch(
			app.ctx,
			request.body.operations,
			validate,
			request.body.budgetMs ?? undefined
		),
	} ) );
};

export default batch;
