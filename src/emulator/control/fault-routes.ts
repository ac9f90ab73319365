/**
 * Faults: add ("the next N requests matching X answer Y"), list, remove one or all.
 */
import type { FastifyInstance } from 'fastify';
import { parseFault } from '../faults/parse-fault';
import type { EmulatorState } from '../state';
import { problem } from './answers';

export function faultRoutes(
	app: FastifyInstance,
	state: EmulatorState
): void {
	app.get( '/faults', async () => ( { faults: state.faults.list() } ) );

	app.post( '/faults', async ( request, reply ) => {
		const parsed = parseFault( request.body );
		if ( 'problems' in parsed ) {
			return problem( reply, 400, parsed.problems );
		}
		return reply.code( 201 ).send( state.faults.add( parsed.spec ) );
	} );

	app.delete( '/faults', async () => {
		state.faults.clear();
		return { cleared: true };
	} );

	app.delete< { Params: { id: string } } >(
		'/faults/:id',
		async ( request, reply ) =>
			state.faults.remove( request.params.id )
				? { removed: true }
				: problem( reply, 404, 'no such fault' )
	);
}
