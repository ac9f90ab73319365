/**
 * Health, reset, behaviour settings and counters.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { applyBehaviour } from '../behaviour';
import type { EmulatorState } from '../state';
import { jsonBody, problem } from './answers';

export function behaviourRoutes(
	app: FastifyInstance,
	state: EmulatorState
): void {
	app.get( '/health', async () => ( { ok: true } ) );

	app.post( '/reset', async () => {
		state.reset();
		return { reset: true };
	} );

	app.get( '/config', async () => state.behaviour );
	// Only what is given changes; with any problem, nothing does.
	const setConfig = async (
		request: FastifyRequest,
		reply: FastifyReply
	) => {
		const problems = applyBehaviour(
			state.behaviour,
			jsonBody( request.body )
		);
		return problems.length > 0
			? problem( reply, 400, problems )
			: state.behaviour;
	};
	app.patch( '/config', setConfig );
	app.post( '/config', setConfig );
	app.put( '/config', setConfig );

	app.get( '/counters', async () => state.counters.toJSON() );
	app.delete( '/counters', async () => {
		state.counters.clear();
		return { cleared: true };
	} );
}
