/**
 * The services every route shares (context.ts), created once per instance and released when it
 * closes.
 */
import fp from 'fastify-plugin';
import type { SidecarConfig } from '../config/env';
import { createContext, type SidecarContext } from '../context';
import { openSharedState } from '../shared-state';

declare module 'fastify' {
	interface FastifyInstance {
		ctx: SidecarContext;
	}
}

export default fp< { config: SidecarConfig } >(
	async ( app, { config } ) => {
		const ctx = createContext( config, app.log );
		ctx.state = await openSharedState( config, app.log );
		// Replicas sharing Redis share the Google quota too.
		if ( ctx.state.reserve ) {
			ctx.pacer.shareThrough( {
				reserve: ctx.state.reserve.bind( ctx.state ),
			} );
		}
		app.decorate( 'ctx', ctx );
		app.addHook( 'onClose', async () => {
			ctx.close();
			await ctx.state.close();
		} );
		// The revoke list file is read again when it changes (and on SIGHUP: index.ts).
		if ( config.hosted?.revokedSitesFile ) {
			const timer = setInterval(
				() => ctx.revocations.reload(),
				config.hosted.revocationReloadSeconds * 1000
			);
			timer.unref();
			app.addHook( 'onClose', async () => clearInterval( timer ) );
		}
	},
	{ name: 'mfk-context' }
);
