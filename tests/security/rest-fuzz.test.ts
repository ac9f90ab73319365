/**
 * Every REST route of the plugin (meet-for-kivicare/v1, discovered from the REST index so a new
 * route is fuzzed too) and KiviCare's Google Meet routes it registers (kivicare/v1/settings/
 * googlemeet*), called by the user most likely to get past the permission check (the
 * administrator, or a doctor for the doctor-only routes) with hostile input: every declared
 * argument with wrong types, bad numbers and hostile strings (SQL, script, unicode, huge,
 * impossible dates, unknown time zones), unknown and prototype-polluting keys, malformed,
 * deeply nested and oversized JSON, wrong content types, bad ids in the path.
 *
 * Every answer must be below 500; every refusal a JSON error with a code and a message (for
 * KiviCare's routes, KiviCare's envelope `{ status: false, message }`); a
 * refused request must store nothing (plugin options, doctors' connection meta, the mapping
 * table and KiviCare's appointments are compared before and after); PHP must write no warning.
 */
import { login, query, type Session } from '../harness/testkit';
import {
	book,
	preserveOptions,
} from '../kivicare-stand-in/test-support/standin';
import {
	configureMeet,
	connectDoctor,
	freshDate,
	setBackgroundSync,
	telemedScenario,
	type Scenario,
} from '../integration/support/meet';
import { collect, track } from './support/collect';
import { recordSecurity } from './support/figures';
import {
	BAD_IDS,
	BAD_NUMBERS,
	HOSTILE_STRINGS,
	pool,
	WRONG_TYPES,
} from './support/fuzz';
import { logMark, problemsSince } from '../reliability/support/log';

interface ArgSchema {
	type?: string | string[];
	required?: boolean;
	properties?: Record< string, ArgSchema >;
}
interface Endpoint {
	route: string;
	method: string;
	args: Record< string, ArgSchema >;
}
interface Case {
	label: string;
	path: string;
	method: string;
	query?: string;
	body?: string;
	contentType?: string;
}
interface Outcome {
	case: Case;
	status: number;
	code?: string;
	message?: string;
	json: boolean;
}

const DOCTOR_ROUTES = [
	'/connection/connect',
	'/connection/calendars',
	'/connection/calendar',
	'/connection/calendar/consultations',
	'/connection/calendar/access',
	'/settings/googlemeet/authorize',
	'/settings/googlemeet/doctor-config',
	'/settings/googlemeet/disconnect',
];
const OPTIONS = [
	'mfk_settings',
	'mfk_provider_config',
	'kiviCare_google_meet_setting',
	'mfk_site_id',
];

let sc: Scenario;
let adminSession: Session;
let doctorSession: Session;
let appointmentId = 0;
let mark = 0;
let restoreOptions: () => Promise< void >;

/** What a refused request must not change. */
async function snapshot(): Promise< string > {
	const options = await query(
		`SELECT COUNT(*) AS n, SUM(CRC32(CONCAT(option_name, '=', option_value))) AS s FROM wp_options WHERE option_name IN (${ OPTIONS.map( () => '?' ).join( ',' ) })`,
		OPTIONS
	);
	const meta = await query(
		"SELECT COUNT(*) AS n, SUM(CRC32(CONCAT(umeta_id, meta_key, '=', meta_value))) AS s FROM wp_usermeta WHERE meta_key LIKE 'mfk\\_%' OR meta_key IN ('kiviCare_google_meet_connect', 'telemed_type')"
	);
	const tables = await query(
		'CHECKSUM TABLE wp_kc_appointment_google_meet_mappings, wp_kc_appointments'
	);
	return JSON.stringify( [ options, meta, tables ] );
}

function encodeQuery( name: string, value: unknown ): string {
	const params = new URLSearchParams();
	const add = ( key: string, v: unknown ) => {
		if ( Array.isArray( v ) ) {
			v.forEach( ( item, i ) => add( `${ key }[${ i }]`, item ) );
		} else if ( v && typeof v === 'object' ) {
			for ( const [ k, item ] of Object.entries( v ) ) {
				add( `${ key }[${ k }]`, item );
			}
		} else {
			params.append( key, v === null ? '' : String( v ) );
		}
	};
	add( name, value );
	return params.toString();
}

function valuesFor( schema: ArgSchema ): Array< [ string, unknown ] > {
	const types = Array.isArray( schema.type )
		? schema.type
		: [ schema.type ?? 'string' ];
	const values: Array< [ string, unknown ] > = [ ...WRONG_TYPES ];
	if ( types.includes( 'integer' ) || types.includes( 'number' ) ) {
		values.push(
			...BAD_NUMBERS,
			...HOSTILE_STRINGS.filter(
				( [ label ] ) => label !== 'huge string'
			)
		);
	} else if ( types.includes( 'boolean' ) ) {
		values.push( [ 'not a boolean', 'yes please' ], [ 'number', 7 ] );
	} else {
		values.push( ...HOSTILE_STRINGS, [ 'number', 42 ] );
	}
	return values;
}

function casesFor( ep: Endpoint ): Case[] {
	const path = ep.route.replace(
		/\(\?P<id>[^)]+\)/,
		String( appointmentId )
	);
	const isBody = ep.method !== 'GET';
	const cases: Case[] = [];
	// A request line of 300 KiB is refused by any web server before WordPress sees it (PHP's
	// built-in one just closes the connection): in a query string, "huge" is 64 KiB.
	const shorten = ( value: unknown ) =>
		typeof value === 'string' && value.length > 65536
			? value.slice( 0, 65536 )
			: value;
	const withArg = ( label: string, name: string, value: unknown ): Case =>
		isBody
			? {
					label,
					path,
					method: ep.method,
					body: JSON.stringify( { [ name ]: value } ),
				}
			: {
					label,
					path,
					method: ep.method,
					query: encodeQuery( name, shorten( value ) ),
				};
	for ( const [ name, schema ] of Object.entries( ep.args ) ) {
		if ( name === 'id' ) {
			continue; // In the path; see below.
		}
		for ( const [ label, value ] of valuesFor( schema ) ) {
			cases.push( withArg( `${ name }: ${ label }`, name, value ) );
		}
		for ( const [ prop, propSchema ] of Object.entries(
			schema.properties ?? {}
		) ) {
			for ( const [ label, value ] of valuesFor( propSchema ) ) {
				cases.push(
					withArg( `${ name }.${ prop }: ${ label }`, name, {
						[ prop ]: value,
					} )
				);
			}
		}
	}
	cases.push(
		withArg(
			'unknown parameter with markup',
			'mfk_<img src=x onerror=alert(1)>',
			'<script>alert(1)</script>'
		)
	);
	if ( /\(\?P<id>/.test( ep.route ) ) {
		for ( const id of BAD_IDS ) {
			cases.push( {
				label: `id ${ id }`,
				path: ep.route.replace( /\(\?P<id>[^)]+\)/, id ),
				method: ep.method,
				...( isBody ? { body: '{}' } : {} ),
			} );
		}
	}
	if ( isBody ) {
		cases.push(
			{
				label: 'prototype pollution',
				path,
				method: ep.method,
				body: '{"__proto__":{"isAdmin":true},"constructor":{"prototype":{"polluted":1}}}',
			},
			{
				label: 'malformed JSON',
				path,
				method: ep.method,
				body: '{"sync_budget_ms": 1, ',
			},
			{
				label: 'deeply nested JSON',
				path,
				method: ep.method,
				body: '['.repeat( 20000 ) + ']'.repeat( 20000 ),
			},
			{
				label: 'body of 3 MB',
				path,
				method: ep.method,
				body: JSON.stringify( {
					google_client_id: 'x'.repeat( 3 * 1024 * 1024 ),
				} ),
			},
			{
				label: 'body is not JSON',
				path,
				method: ep.method,
				body: '<?xml version="1.0"?><a/>',
				contentType: 'application/xml',
			},
			{
				label: 'JSON array body',
				path,
				method: ep.method,
				body: '[1,2,3]',
			}
		);
	} else {
		cases.push( {
			label: 'array where a value is expected',
			path,
			method: ep.method,
			query: 'scope[]=today&limit[]=1&doctor_id[]=1',
		} );
	}
	return cases;
}

function errorCode(
	json: { code?: unknown; status?: unknown } | null
): string | undefined {
	if ( typeof json?.code === 'string' ) {
		return json.code;
	}
	return json?.status === false ? 'kivicare_envelope' : undefined;
}

async function send( session: Session, c: Case ): Promise< Outcome > {
	const url = `wp-json${ c.path }${ c.query ? `?${ c.query }` : '' }`;
	const res = await session.fetch( url, {
		method: c.method,
		headers: {
			Accept: 'application/json',
			...( c.body !== undefined
				? { 'Content-Type': c.contentType ?? 'application/json' }
				: {} ),
		},
		...( c.body !== undefined ? { body: c.body } : {} ),
	} );
	const text = await res.text();
	collect( 'rest', `${ c.method } ${ c.path } (${ c.label })`, text );
	let json: { code?: unknown; message?: unknown; status?: unknown } | null =
		null;
	try {
		json = JSON.parse( text );
	} catch {
		json = null;
	}
	return {
		case: c,
		status: res.status,
		json: json !== null,
		// KiviCare's routes answer in KiviCare's envelope: { status: false, message, data }.
		code: errorCode( json ),
		message: typeof json?.message === 'string' ? json.message : undefined,
	};
}

beforeAll( async () => {
	mark = logMark();
	// Each refused request must change nothing: no background sync started by an accepted one
	// may write meanwhile.
	await setBackgroundSync( false );
	restoreOptions = await preserveOptions(
		OPTIONS.filter( ( o ) => o !== 'mfk_site_id' )
	);
	await configureMeet();
	sc = await telemedScenario();
	adminSession = track( await login() );
	doctorSession = track( await login( sc.doctor ) );
	const booked = await book( adminSession, {
		appointmentStartDate: freshDate(),
		appointmentStartTime: '10:00',
		doctorId: sc.doctor.id,
		patientId: sc.patient.id,
		serviceId: [ sc.mappingId ],
		status: 1,
	} );
	if ( booked.status !== 201 ) {
		throw new Error( `Booking failed: ${ JSON.stringify( booked.body ) }` );
	}
	appointmentId = booked.body.data.appointment_id;
}, 120000 );

afterAll( async () => {
	await restoreOptions();
	await setBackgroundSync( true );
} );

async function discover(
	namespace: string,
	filter: ( route: string ) => boolean
): Promise< Endpoint[] > {
	const res = await adminSession.rest( namespace );
	expect( res.status ).toBe( 200 );
	const out: Endpoint[] = [];
	for ( const [ route, info ] of Object.entries(
		res.body.routes as Record<
			string,
			{
				endpoints: Array< {
					methods: string[];
					args: Record< string, ArgSchema >;
				} >;
			}
		>
	) ) {
		if ( route === `/${ namespace }` || ! filter( route ) ) {
			continue;
		}
		for ( const endpoint of info.endpoints ) {
			// PUT/PATCH/POST aliases of one handler are fuzzed once (the first).
			const method = endpoint.methods.includes( 'GET' )
				? 'GET'
				: endpoint.methods[ 0 ]!;
			out.push( { route, method, args: endpoint.args } );
		}
	}
	return out;
}

it( 'answers hostile input on every route with a clear 4xx, stores nothing and writes no PHP warning', async () => {
	const endpoints = [
		...( await discover( 'meet-for-kivicare/v1', () => true ) ),
		...( await discover( 'kivicare/v1', ( r ) =>
			r.includes( '/settings/googlemeet' )
		) ),
	];
	// The index lists what docs/rest-api.md documents (and anything added since).
	const routes = endpoints.map( ( e ) => `${ e.method } ${ e.route }` );
	for ( const expected of [
		'GET /meet-for-kivicare/v1/settings',
		'POST /meet-for-kivicare/v1/settings',
		'POST /meet-for-kivicare/v1/settings/test',
		'GET /meet-for-kivicare/v1/health',
		'GET /meet-for-kivicare/v1/connection',
		'POST /meet-for-kivicare/v1/connection/connect',
		'POST /meet-for-kivicare/v1/connection/disconnect',
		'GET /meet-for-kivicare/v1/connections',
		'GET /meet-for-kivicare/v1/connection/calendars',
		'POST /meet-for-kivicare/v1/connection/calendar',
		'POST /meet-for-kivicare/v1/connection/calendar/consultations',
		'POST /meet-for-kivicare/v1/connection/calendar/access',
		'GET /meet-for-kivicare/v1/appointments/(?P<id>\\d+)/meeting',
		'POST /meet-for-kivicare/v1/appointments/(?P<id>\\d+)/meeting/retry',
		'GET /meet-for-kivicare/v1/me/meetings',
		'POST /meet-for-kivicare/v1/queue/run',
		'GET /kivicare/v1/settings/googlemeet',
		'PUT /kivicare/v1/settings/googlemeet',
		'GET /kivicare/v1/settings/googlemeet/doctor-config',
		'GET /kivicare/v1/settings/googlemeet/authorize',
		'GET /kivicare/v1/settings/googlemeet/disconnect',
	] ) {
		expect( routes ).toContain( expected );
	}
	// Disconnecting is fuzzed last: an accepted call really disconnects the doctor.
	endpoints.sort(
		( a, b ) =>
			Number( a.route.endsWith( '/disconnect' ) ) -
			Number( b.route.endsWith( '/disconnect' ) )
	);

	const outcomes: Outcome[] = [];
	const storedAfterRefusal: string[] = [];
	for ( const ep of endpoints ) {
		const session = DOCTOR_ROUTES.some( ( r ) => ep.route.endsWith( r ) )
			? doctorSession
			: adminSession;
		const cases = casesFor( ep );
		const before = await snapshot();
		const results = await pool( cases, 3, ( c ) => send( session, c ) );
		const after = await snapshot();
		outcomes.push( ...results );
		if ( before === after ) {
			continue;
		}
		// Something was stored: by an accepted request, never by a refused one. Replay the
		// refused ones one at a time to find out.
		for ( const r of results.filter( ( o ) => o.status >= 400 ) ) {
			const b = await snapshot();
			await send( session, r.case );
			if ( ( await snapshot() ) !== b ) {
				storedAfterRefusal.push(
					`${ r.case.method } ${ r.case.path } (${ r.case.label })`
				);
			}
		}
	}

	const serverErrors = outcomes.filter( ( o ) => o.status >= 500 );
	const unclear = outcomes.filter(
		( o ) =>
			o.status >= 400 &&
			o.status < 500 &&
			( ! o.json || ! o.code || ! o.message )
	);
	const warnings = problemsSince( mark );
	const byStatus: Record< string, number > = {};
	for ( const o of outcomes ) {
		byStatus[ String( o.status ) ] =
			( byStatus[ String( o.status ) ] ?? 0 ) + 1;
	}
	const refused = outcomes.filter(
		( o ) => o.status >= 400 && o.status < 500
	).length;
	recordSecurity( {
		id: 'rest-fuzz',
		title: 'REST routes fuzzed with hostile input',
		attempts: outcomes.length,
		held: outcomes.length - serverErrors.length - unclear.length,
		failures:
			serverErrors.length +
			unclear.length +
			storedAfterRefusal.length +
			warnings.length,
		details: {
			routes: new Set( endpoints.map( ( e ) => e.route ) ).size,
			endpoints: endpoints.length,
			'refused (4xx)': refused,
			'accepted (2xx)': outcomes.filter( ( o ) => o.status < 300 ).length,
			'5xx': serverErrors.length,
			'4xx without code/message': unclear.length,
			'stored after a refusal': storedAfterRefusal.length,
			'PHP warnings': warnings.length,
			statuses: Object.entries( byStatus )
				.map( ( [ s, n ] ) => `${ s }×${ n }` )
				.join( ' ' ),
		},
		notes: 'Accepted answers are hostile values of the right type (for example a title with markup), stored as sent or sanitised; docs/SECURITY.md shows where they are rendered escaped.',
		problems: [
			...serverErrors.map(
				( o ) =>
					`${ o.status } ${ o.case.method } ${ o.case.path } (${ o.case.label })`
			),
			...unclear.map(
				( o ) =>
					`unclear ${ o.status } ${ o.case.method } ${ o.case.path } (${ o.case.label })`
			),
			...storedAfterRefusal.map(
				( s ) => `stored after refusal: ${ s }`
			),
			...warnings,
		],
	} );
	expect(
		serverErrors.map(
			( o ) =>
				`${ o.status } ${ o.case.method } ${ o.case.path } (${ o.case.label })`
		)
	).toEqual( [] );
	expect(
		unclear.map(
			( o ) =>
				`${ o.status } ${ o.case.method } ${ o.case.path } (${ o.case.label })`
		)
	).toEqual( [] );
	expect( storedAfterRefusal ).toEqual( [] );
	expect( warnings ).toEqual( [] );
	expect( refused ).toBeGreaterThan( outcomes.length / 2 );

	// Accepted requests changed settings (the client id among them): put them back, then the
	// doctor whose account the fuzzing of the disconnect routes switched off connects again.
	await restoreOptions();
	await connectDoctor( sc.doctor, sc.doctorEmail );
}, 300000 );
