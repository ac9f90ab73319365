/**
 * `/v1/batch`: many meeting operations in one call, each checked against its meeting route's
 * schema on its own and answered in the order given (batch/run-batch.ts).
 */
import type { FastifyPluginAsync } from 'fastify';
import { runBatch, type BatchOperation } from '../../batch/run-batch';
import { fieldErrors, type ValidationIssue } from '../../errors';
import { batchBody } from '../../schemas/batch';
import { meetingBodies } from '../../schemas/meetings';

const batch: FastifyPluginAsync = async ( app ) => {
	app.post< {
		Body: { operations: BatchOperation[]; budgetMs?: number | null };
	} >( '/v1/batch', { schema: { body: batchBody } }, async ( request ) => {
		const validate = ( operation: BatchOperation ) => {
			const check = request.compileValidationSchema(
				meetingBodies[ operation.op ],
				'body'
			);
			return check( operation )
				? null
				: fieldErrors(
						( check.errors ?? [] ) as unknown as ValidationIssue[]
					);
		};
		return {
			results: await runBatch(
				app.ctx,
				request.body.operations,
				validate,
				request.body.budgetMs ?? undefined
			),
		};
	} );
};

export default batch;
