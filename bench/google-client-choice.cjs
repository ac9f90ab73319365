/**
 * Why the sidecar uses @googleapis/calendar rather than the full googleapis bundle: load time
 * and resident memory of each, in fresh Node processes, alternating, 15 runs. Neither package
 * is needed for anything else, so they are installed in a folder of their own:
 *
 *   mkdir /tmp/gcmp && cd /tmp/gcmp && npm init -y && npm install googleapis @googleapis/calendar
 *   node /path/to/bench/google-client-choice.cjs /tmp/gcmp
 */
const { execFileSync } = require( 'node:child_process' );
const dir = process.argv[ 2 ] || process.cwd();
const variants = {
	googleapis:
		"const t=process.hrtime.bigint();const {google}=require('googleapis');const c=google.calendar({version:'v3'});const ms=Number(process.hrtime.bigint()-t)/1e6;console.log(JSON.stringify({ms,rss:process.memoryUsage().rss/1048576}))",
	calendar:
		"const t=process.hrtime.bigint();const {calendar}=require('@googleapis/calendar');const c=calendar({version:'v3'});const ms=Number(process.hrtime.bigint()-t)/1e6;console.log(JSON.stringify({ms,rss:process.memoryUsage().rss/1048576}))",
};
const res = { googleapis: [], calendar: [] };
for ( let i = 0; i < 15; i++ ) {
	for ( const [ k, code ] of Object.entries( variants ) ) {
		res[ k ].push(
			JSON.parse(
				execFileSync( process.execPath, [ '-e', code ], { cwd: dir } )
			)
		);
	}
}
const med = ( a ) => {
	const s = [ ...a ].sort( ( x, y ) => x - y );
	return s[ Math.floor( s.length / 2 ) ];
};
for ( const [ k, r ] of Object.entries( res ) ) {
	console.log(
		k,
		'load ms median',
		med( r.map( ( x ) => x.ms ) ).toFixed( 1 ),
		'rss MiB median',
		med( r.map( ( x ) => x.rss ) ).toFixed( 1 )
	);
}
