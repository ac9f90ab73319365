/**
 * A minimal round-robin HTTP load balancer (what nginx or HAProxy would do in front of sidecar
 * replicas), for the scaling runs: each request goes to the next replica, over kept-alive
 * connections, headers and body passed through unchanged (signatures stay valid).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Balancer {
	port: number;
	/** Requests sent to each upstream port. */
	counts: Map< number, number >;
	close: () => Promise< void >;
}

export function startBalancer(
	port: number,
	upstreams: number[]
): Promise< Balancer > {
	const agent = new http.Agent( { keepAlive: true, maxSockets: 256 } );
	const counts = new Map( upstreams.map( ( p ) => [ p, 0 ] ) );
	let next = 0;
	const server = http.createServer( ( req, res ) => {
		const target = upstreams[ next++ % upstreams.length ] as number;
		counts.set( target, ( counts.get( target ) ?? 0 ) + 1 );
		const upstream = http.request(
			{
				host: '127.0.0.1',
				port: target,
				method: req.method,
				path: req.url,
				headers: req.headers,
				agent,
			},
			( answer ) => {
				res.writeHead( answer.statusCode ?? 502, answer.headers );
				answer.pipe( res );
			}
		);
		upstream.on( 'error', () => {
			if ( ! res.headersSent ) {
				res.writeHead( 502 );
			}
			res.end();
		} );
		req.pipe( upstream );
	} );
	server.keepAliveTimeout = 5000;
	return new Promise( ( resolve, reject ) => {
		server.once( 'error', reject );
		server.listen( port, '127.0.0.1', () =>
			resolve( {
				port: ( server.address() as AddressInfo ).port,
				counts,
				close: () =>
					new Promise< void >( ( done ) => {
						agent.destroy();
						server.closeAllConnections();
						server.close( () => done() );
					} ),
			} )
		);
	} );
}
