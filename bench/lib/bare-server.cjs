/**
 * The least a Node HTTP service can be: answers every request with a small JSON body. The
 * benchmark starts it the way the sidecar is started (bin/sidecar) as the baseline of the
 * sidecar's cold start and memory. Listens on 127.0.0.1:$MFK_SIDECAR_PORT.
 */
require( 'node:http' )
	.createServer( ( request, response ) => {
		request.resume();
		response.setHeader( 'content-type', 'application/json' );
		response.end( '{"ok":true}' );
	} )
	.listen( Number( process.env.MFK_SIDECAR_PORT ), '127.0.0.1' );
