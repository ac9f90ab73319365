/**
 * Backlog throughput: a clinic with `doctors` connected doctors has `count` future telemedicine
 * appointments without meetings (what `wp mfk sync` finds after the plugin is set up, or what
 * piles up while Google was unreachable). Several queue runners (`php php/cli/run-queue.php`,
 * as system cron starts them on one or more WordPress nodes) work through it concurrently via
 * the sidecar's `/v1/batch`, against the emulator's per-user and per-project rate limits. The
 * time from starting the runners until every appointment has its link is compared with the
 * quota floor: the least time the emulator's token buckets allow for that many requests.
 *
 * Afterwards every doctor's calendar at the emulator is read back: an appointment with more
 * than one event is a duplicate; one without a ready link in WordPress (or whose link differs
 * from its event's) is missing.
 */
import './lib/env';
import path from 'node:path';
import { quotaFloorSeconds } from '../src/emulator';
import { query } from '../tests/harness/testkit';
import type { Figure } from './lib/report';
import { round } from './lib/stats';
import { readRecord } from '../tests/harness/proc';
import { cpuMs, sleep } from './lib/procs';
import {
	BENCH_PHP,
	php,
	startRunner,
	type Doctor,
	type Sidecars,
	type World,
} from './lib/world';

export interface BacklogOptions {
	count: number;
	doctors: number;
	runners: number;
	replicas: number;
	perUserPerMinute: number | null;
	perProjectPerMinute: number | null;
	latencyMs: number;
	batchSize: number;
	firstDay: number;
	timeoutMs: number;
}

export const BACKLOG_DEFAULTS: BacklogOptions = {
	count: 2000,
	doctors: 40,
	runners: 4,
	replicas: 1,
	perUserPerMinute: 600,
	perProjectPerMinute: 10000,
	latencyMs: 150,
	batchSize: 25,
	firstDay: 200,
	timeoutMs: 120000,
};

export interface BacklogResult {
	options: BacklogOptions;
	seed: { count: number; recorded: number; seedMs: number; syncMs: number };
	seconds: number;
	floorSeconds: number;
	ratio: number;
	perSecond: number;
	ready: number;
	duplicates: number;
	missing: number;
	wrongLinks: number;
	google: Record< string, Record< string, number > >;
	/** Calendar API calls the emulator received, and those Google's limits refused (429/403). */
	calls: number;
	refused: number;
	/** refused / calls, in percent. */
	refusedPercent: number;
	/** CPU time per appointment of the queue runners (PHP), sidecar(s), MariaDB and the emulator. */
	cpuPerAppointmentMs: Record< string, number >;
	/** Ready rows over time (seconds since start → rows), every second. */
	progress: Array< [ number, number ] >;
}

const ids = ( first: number, last: number ) =>
	Array.from( { length: last - first + 1 }, ( _, i ) => first + i );

/**
 * Reads every doctor's calendar at the emulator back and compares it with WordPress: an
 * appointment with more than one live event is a duplicate; one without a ready row with a link,
 * or without an event, is missing; a row whose link is not its event's is a wrong link.
 */
export async function verifyMeetings(
	world: World,
	doctors: Doctor[],
	appointments: number[]
) {
	const wanted = new Set( appointments );
	const rows = await query< {
		appointment_id: number;
		state: string;
		url: string;
	} >(
		`SELECT appointment_id, state, url FROM wp_kc_appointment_google_meet_mappings WHERE appointment_id IN (${ appointments.join( ',' ) })`
	);
	const events = new Map< number, Array< string | undefined > >();
	for ( const d of doctors ) {
		for ( const e of await world.google.events( d.email ) ) {
			const p = e.extendedProperties?.private;
			const id = Number( p?.mfkAppointmentId );
			if (
				e.status === 'cancelled' ||
				p?.mfkSiteId !== world.siteId ||
				! wanted.has( id )
			) {
				continue;
			}
			events.set( id, [ ...( events.get( id ) ?? [] ), e.hangoutLink ] );
		}
	}
	const byId = new Map(
		rows.map( ( r ) => [ Number( r.appointment_id ), r ] )
	);
	let duplicates = 0;
	let missing = 0;
	let wrongLinks = 0;
	for ( const id of wanted ) {
		const links = events.get( id ) ?? [];
		const row = byId.get( id );
		if ( links.length > 1 ) {
			duplicates++;
		}
		if (
			! row ||
			row.state !== 'ready' ||
			! row.url ||
			links.length === 0
		) {
			missing++;
		} else if ( ! links.includes( row.url ) ) {
			wrongLinks++;
		}
	}
	return { duplicates, missing, wrongLinks };
}

export async function runBacklog(
	world: World,
	sidecars: Sidecars,
	overrides: Partial< BacklogOptions > = {}
): Promise< BacklogResult > {
	const o = { ...BACKLOG_DEFAULTS, ...overrides };
	const doctors = world.doctors.slice( 0, o.doctors );
	// The sidecar is told the quota Google gives the project, as an operator copies it from the
	// Cloud console (0: none configured, not paced).
	const quota = {
		MFK_GOOGLE_PROJECT_QPM: String( o.perProjectPerMinute ?? 0 ),
		MFK_GOOGLE_USER_QPM: String( o.perUserPerMinute ?? 0 ),
	};
	if (
		sidecars.count !== o.replicas ||
		JSON.stringify( sidecars.startedWith ) !== JSON.stringify( quota )
	) {
		await sidecars.start( o.replicas, quota );
	}
	await world.google.config( {
		latencyMs: o.latencyMs,
		latencyJitterMs: 0,
		conferenceDelayMs: 0,
		rateLimits: { perUserPerMinute: null, perProjectPerMinute: null },
	} );
	const seed = await php< {
		first: number;
		last: number;
		count: number;
		recorded: number;
		seedMs: number;
		syncMs: number;
	} >(
		world,
		`require_once $args['file']; return mfk_bench_seed_backlog( $args );`,
		{
			file: path.join( BENCH_PHP, 'backlog.php' ),
			count: o.count,
			doctors: doctors.map( ( d ) => ( {
				id: d.id,
				telemedService: d.telemedService,
			} ) ),
			patient: world.patient.id,
			clinic: world.clinicId,
			firstDay: o.firstDay,
			zone: 'Europe/Berlin',
		}
	);
	if (
		seed.count !== o.count ||
		seed.recorded !== o.count ||
		seed.last - seed.first + 1 !== o.count
	) {
		throw new Error( `backlog seeding: ${ JSON.stringify( seed ) }` );
	}
	// The floor assumes full token buckets at the start: they hold one second's worth, and
	// nothing has called the Calendar API for longer than that while the backlog was seeded.
	await world.google.clearCounters();
	await world.google.config( {
		rateLimits: {
			perUserPerMinute: o.perUserPerMinute,
			perProjectPerMinute: o.perProjectPerMinute,
		},
	} );
	const readyCount = async () =>
		Number(
			(
				await query< { n: number } >(
					`SELECT COUNT(*) AS n FROM wp_kc_appointment_google_meet_mappings WHERE appointment_id BETWEEN ? AND ? AND state = 'ready'`,
					[ seed.first, seed.last ]
				)
			)[ 0 ]?.n ?? 0
		);

	// CPU time each part of the system spends on the backlog (from /proc; 10 ms resolution).
	const record = ( name: 'emulator' | 'mariadb' ) =>
		readRecord( world.instance, name )?.pid ?? 0;
	const fixed = {
		sidecar: sidecars.pids,
		emulator: [ record( 'emulator' ) ],
		mariadb: [ record( 'mariadb' ) ],
	};
	const cpuOf = ( pids: number[] ) =>
		pids.reduce( ( sum, pid ) => {
			try {
				return sum + ( pid ? cpuMs( pid ) : 0 );
			} catch {
				return sum; // Gone already.
			}
		}, 0 );
	// The runners sync the doctors' calendars first when that is due (every few minutes): 40
	// `events.list` calls that are not the backlog's. Left for an hour, as after a sync.
	await php(
		world,
		'update_option( MFK_Calendar_Sync::OPTION_NEXT, time() + 3600, true ); return true;'
	);
	const cpuBefore = Object.fromEntries(
		Object.entries( fixed ).map( ( [ k, pids ] ) => [ k, cpuOf( pids ) ] )
	);
	const started = Date.now();
	const runners = Array.from( { length: o.runners }, () =>
		startRunner( world.instance, [
			`--max-seconds=${ Math.ceil( o.timeoutMs / 1000 ) }`,
			`--batch-size=${ o.batchSize }`,
			'--quiet',
		] )
	);
	let ready = 0;
	let finished = 0;
	const progress: Array< [ number, number ] > = [];
	let nextMark = 1000;
	while ( Date.now() - started < o.timeoutMs ) {
		ready = await readyCount();
		const elapsed = Date.now() - started;
		if ( elapsed >= nextMark ) {
			progress.push( [ Math.round( elapsed / 1000 ), ready ] );
			nextMark += 1000;
		}
		if ( ready >= o.count ) {
			finished = elapsed;
			break;
		}
		await sleep( 50 );
	}
	const seconds = ( finished || Date.now() - started ) / 1000;
	const cpuPerAppointmentMs: Record< string, number > = {
		php: round( cpuOf( runners.map( ( r ) => r.pid ) ) / o.count, 2 ),
	};
	for ( const [ k, pids ] of Object.entries( fixed ) ) {
		cpuPerAppointmentMs[ k ] = round(
			( cpuOf( pids ) - ( cpuBefore[ k ] ?? 0 ) ) / o.count,
			2
		);
	}
	for ( const r of runners ) {
		r.kill();
	}
	await Promise.all(
		runners.map( ( r ) => r.done.catch( () => undefined ) )
	);
	await world.google.config( {
		rateLimits: { perUserPerMinute: null, perProjectPerMinute: null },
	} );

	const check = await verifyMeetings(
		world,
		doctors,
		ids( seed.first, seed.last )
	);
	const perUser = doctors.map(
		( _, i ) =>
			Math.floor( o.count / doctors.length ) +
			( i < o.count % doctors.length ? 1 : 0 )
	);
	const floorSeconds = quotaFloorSeconds(
		perUser,
		o.perUserPerMinute,
		o.perProjectPerMinute
	);
	const counters = await world.google.counters();
	const { calls, refused } = counters.total;
	return {
		options: o,
		seed,
		seconds: round( seconds, 2 ),
		floorSeconds: round( floorSeconds, 2 ),
		ratio: round( seconds / floorSeconds, 3 ),
		perSecond: round( o.count / seconds ),
		ready,
		...check,
		google: counters.statuses,
		calls,
		refused,
		refusedPercent: calls ? round( ( 100 * refused ) / calls, 2 ) : 0,
		cpuPerAppointmentMs,
		progress,
	};
}

export const BACKLOG_TARGET =
	'≤ 1.15× quota floor, refused ≤ 1 % of calls, 0 duplicates, 0 missing';

/** "12 of 2,034 calls (0.59 %)" */
export function refusedText( m: BacklogResult ): string {
	return `${ m.refused } of ${ m.calls.toLocaleString( 'en' ) } calls (${ m.refusedPercent } %)`;
}

export function backlogFigure( m: BacklogResult, id = 'backlog' ): Figure {
	const o = m.options;
	const met =
		m.ratio <= 1.15 &&
		m.refusedPercent <= 1 &&
		m.duplicates === 0 &&
		m.missing === 0 &&
		m.wrongLinks === 0;
	const reasons: string[] = [];
	if ( m.ratio > 1.15 ) {
		reasons.push(
			`${ m.seconds } s against a floor of ${ m.floorSeconds } s (${ m.perSecond }/s against the project quota's ${ round( ( o.perProjectPerMinute ?? 0 ) / 60 ) }/s). See "Scaling" for the runs with other runner and replica counts`
		);
	}
	if ( m.refusedPercent > 1 ) {
		reasons.push( `Google refused ${ refusedText( m ) } with 429/403` );
	}
	if ( m.duplicates || m.missing || m.wrongLinks ) {
		reasons.push(
			`${ m.duplicates } duplicates, ${ m.missing } missing, ${ m.wrongLinks } with a link other than their event's`
		);
	}
	const sidecars =
		o.replicas === 1
			? '1 sidecar'
			: `${ o.replicas } sidecars behind a round-robin balancer, each pacing to its share of the quota (\`MFK_REPLICAS=${ o.replicas }\`)`;
	return {
		id,
		figure:
			o.replicas === 1
				? 'backlog throughput'
				: `backlog throughput, ${ o.replicas } sidecars`,
		how: `${ o.count.toLocaleString( 'en' ) } future telemedicine appointments over ${ o.doctors } doctors written through KiviCare's model and recorded by \`MFK_Backfill\` (what \`wp mfk sync\` does); ${ o.runners } \`php php/cli/run-queue.php --batch-size=${ o.batchSize }\` runners at once, ${ sidecars }; emulator ${ o.perUserPerMinute }/min per user, ${ o.perProjectPerMinute }/min per project, latency ${ o.latencyMs } ms, and the sidecar configured with the same quota; the doctors' periodic calendar sync not due; timed from starting the runners until every appointment's row is ready; calls and refusals counted at the emulator; every calendar read back.`,
		command: `npm run bench -- --only ${ id }`,
		target: BACKLOG_TARGET,
		result: `${ m.seconds } s (${ m.perSecond }/s); refused ${ refusedText( m ) }; ${ m.duplicates } duplicates, ${ m.missing } missing`,
		baseline: `quota floor ${ m.floorSeconds } s`,
		ratio: m.ratio,
		ratioOf: 'time / quota floor',
		met,
		...( reasons.length ? { reason: reasons.join( '; ' ) } : {} ),
		details: { ...m },
	};
}
