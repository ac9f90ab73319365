/**
 * A round-robin TCP load balancer on loopback, as a cloud load balancer in TLS passthrough mode
 * stands in front of sidecar replicas: each new connection goes to the next replica, bytes pass
 * unchanged (HTTPS is terminated by the replicas). WordPress opens a connection per call, so
 * consecutive calls reach different replicas.
 */
import net from 'node:net';

export interface TcpBalancer {
	port: number;
	/** Connections handed to each upstream port. */
	counts: Map< number, number >;
	close: () => Promise< void >;
}

export function startTcpBalancer(
	upstreams: number[],
	port = 0
): Promise< TcpBalancer > {
	const counts = new Map( upstreams.map( ( p ) => [ p, 0 ] ) );
	const sockets = new Set< net.Socket >();
	let next = 0;
	const server = net.createServer( ( client ) => {
		const target = upstreams[ next++ % upstreams.length ] as number;
		counts.set( target, ( counts.get( target ) ?? 0 ) + 1 );
		const upstream = net.connect( target, '127.0.0.1' );
		for ( const s of [ client, upstream ] ) {
			sockets.add( s );
			s.once( 'close', () => sockets.delete( s ) );
			s.on( 'error', () => {
				client.destroy();
				upstream.destroy();
			} );
		}
		client.pipe( upstream ).pipe( client );
	} );
	return new Promise( ( resolve, reject ) => {
		server.once( 'error', reject );
		server.listen( port, '127.0.0.1', () =>
			resolve( {
				port: ( server.address() as net.AddressInfo ).port,
				counts,
				close: () =>
					new Promise< void >( ( done ) => {
						for ( const s of sockets ) {
							s.destroy();
						}
						server.close( () => done() );
					} ),
			} )
		);
	} );
}
