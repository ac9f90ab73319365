/**
 * The services every route shares (context.ts), created once per instance and released when it
 * closes.
 */
import fp from 'fastify-plugin';
import type { SidecarConfig } from '../config/env';
import { createContext, type SidecarContext } from '../context';

declare module 'fastify' {
	interface FastifyInstance {
		ctx: SidecarContext;
	}
}

export default fp< { config: SidecarConfig } >(
	async ( app, { config } ) => {
		const ctx = createContext( config, app.log );
		app.decorate( 'ctx', ctx );
		app.addHook( 'onClose', async () => ctx.close() );
	},
	{ name: 'mfk-context' }
);
